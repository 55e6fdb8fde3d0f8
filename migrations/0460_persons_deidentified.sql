-- Document numbers can't be rebuilt from plain columns (GB/T 35273 de-identification,
-- docs/SECURITY.md §Personal data at rest): a resident ID is region (6) + birth date (8) + sequence
-- (3) + check character, so region_code + birth_date + the last four characters of the old mask
-- gave the whole number. The mask now keeps only the first and the last character; the birth date
-- becomes the birth year (the full date stays readable, encrypted, from the document number or
-- birth_enc, which the application writes for new rows).
ALTER TABLE persons ADD COLUMN birth_year smallint;
ALTER TABLE persons ADD COLUMN birth_enc bytea;
UPDATE persons SET birth_year = EXTRACT(YEAR FROM birth_date)::smallint WHERE birth_date IS NOT NULL;
UPDATE persons
   SET doc_masked = left(doc_masked, 1) || repeat('*', greatest(length(doc_masked) - 2, 0)) || right(doc_masked, 1);
ALTER TABLE persons DROP COLUMN birth_date;
