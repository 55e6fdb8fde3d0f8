-- Staff accounts can be disabled (sign-in refused, sessions end at once), and an officer always
-- has a region: an empty prefix reads every region, which only administrators may have. Officers
-- created before this rule without a region are disabled until an administrator assigns one.
ALTER TABLE staff ADD COLUMN disabled_at timestamptz;
ALTER TABLE staff ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
UPDATE staff SET disabled_at = now() WHERE role = 'officer' AND region_prefix = '';
ALTER TABLE staff ADD CONSTRAINT staff_role_known CHECK (role IN ('officer', 'admin'));
ALTER TABLE staff ADD CONSTRAINT staff_officer_has_region
  CHECK (role <> 'officer' OR region_prefix <> '' OR disabled_at IS NOT NULL);
ALTER TABLE staff ADD CONSTRAINT staff_region_digits CHECK (region_prefix ~ '^[0-9]{0,6}$');
