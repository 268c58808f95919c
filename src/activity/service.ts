import { presentPhoto, type PhotoView } from "../photos/presenter.ts";
import type { Viewer } from "../users/service.ts";
import type { ActivityRepository, ActivityRow } from "./repository.ts";
import { audienceOf } from "../photos/visibility.ts";
import type { Clock } from "../clock.ts";
import { PeriodicTask, type PeriodicRuns } from "../ops/periodic.ts";

export interface ActivityEvent {
  kind: ActivityRow["kind"];
  actor: { username: string };
  photo: { id: string; title: string; pageUrl: string };
  group: { name: string; slug: string } | null;
  /** The comment's or note's text. */
  text: string | null;
  at: string;
}

export interface ActivityPage {
  contactPhotos: PhotoView[];
  onYourPhotos: ActivityEvent[];
  /** The page to ask for next; null when neither list has more. */
  nextPage: number | null;
}

const FILL_INTERVAL_MS = 10 * 60_000;

/** A member's activity: recent photos from their contacts, and what others did on their photos. */
export class ActivityService {
  private readonly fill: PeriodicTask;

  constructor(private readonly deps: { activity: ActivityRepository; baseUrl: string; runs: PeriodicRuns; clock: Clock; holder: string; say: (level: "info" | "warn", message: string) => void }) {
    // Rows written without their photo's owner, by servers of the previous release during a
    // rolling upgrade, are filled so those faves and comments show on the owner's activity
    // page: every 10 minutes, by one server of the site.
    this.fill = new PeriodicTask({
      task: "activity.fill-photo-owners",
      intervalMs: FILL_INTERVAL_MS,
      runs: deps.runs,
      clock: deps.clock,
      holder: deps.holder,
      say: (level, message) => deps.say(level, `activity: ${message}`),
      work: async () => {
        const filled = await deps.activity.fillPhotoOwners();
        return filled > 0 ? `filled the photo owner on ${filled} rows written by a previous release` : undefined;
      },
    });
  }

  start(firstDelayMs = 5000): void {
    this.fill.start(firstDelayMs);
  }

  async stop(): Promise<void> {
    await this.fill.stop();
  }

  async page(viewer: Viewer, page: number, size: number): Promise<ActivityPage> {
    const audience = audienceOf(viewer);
    const offset = (page - 1) * size;
    const [photos, events] = await Promise.all([this.deps.activity.contactPhotos(audience, size + 1, offset), this.deps.activity.onPhotosOf(audience, size + 1, offset)]);
    const more = photos.length > size || events.length > size;
    return {
      contactPhotos: photos.slice(0, size).map((row) => presentPhoto(row, viewer.id, this.deps.baseUrl)),
      onYourPhotos: events.slice(0, size).map((row) => ({
        kind: row.kind,
        actor: { username: row.actor_username },
        photo: { id: String(row.photo_id), title: row.photo_title, pageUrl: `${this.deps.baseUrl}/photos/${viewer.username}/${row.photo_id}` },
        group: row.group_name !== null && row.group_slug !== null ? { name: row.group_name, slug: row.group_slug } : null,
        text: row.text,
        at: new Date(row.at).toISOString(),
      })),
      nextPage: more ? page + 1 : null,
    };
  }
}
