/** What the testing service's routes call: its services, one per route (docs/ARCHITECTURE.md "Rules"). */
import type { BookingService } from '../../../services/nat/booking.service.ts';
import type { CollectionService } from '../../../services/nat/collection.service.ts';
import type { LabService } from '../../../services/nat/lab.service.ts';
import type { NatStatusService } from '../../../services/nat/nat-status.service.ts';
import type { SiteService } from '../../../services/nat/site.service.ts';

export interface NatApi {
  sites: SiteService;
  bookings: BookingService;
  collection: CollectionService;
  lab: LabService;
  status: NatStatusService;
}
