import { InvalidError, wording, type Wording } from "../errors.ts";
import { normalizeTag } from "../photos/tags.ts";

/** A smart album's rule: which of its owner's photos it holds, evaluated whenever it is read. */
export interface SmartRule {
  /** Normalised tags (as in photo_tags.tag). */
  tags?: string[];
  tagMode?: "all" | "any";
  /** Taken on or after, as the camera's clock: "2024-05-17" or "2024-05-17T08:00[:00]". */
  takenFrom?: string;
  /** Taken on or before (a date includes that whole day). */
  takenTo?: string;
  /** The camera model, as recorded in the file. */
  camera?: string;
  near?: { latitude: number; longitude: number; radiusKm: number };
  minFaves?: number;
}

export const MAX_RULE_TAGS = 20;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?)?$/;

function takenBound(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (!DATE.test(value)) throw new InvalidError(wording("errors.rule.date", { field }), { field });
  return value;
}

/** Checks and normalises a rule from a request; throws InvalidError naming the first bad field. */
export function parseRule(input: SmartRule): SmartRule {
  const rule: SmartRule = {};
  if (input.tags !== undefined) {
    const tags = [...new Set(input.tags.map(normalizeTag).filter((t) => t !== ""))];
    if (tags.length === 0 && input.tags.length > 0) throw new InvalidError(wording("errors.rule.noTag"), { field: "rule.tags" });
    if (tags.length > MAX_RULE_TAGS) throw new InvalidError(wording("errors.rule.tooManyTags", { max: MAX_RULE_TAGS }), { field: "rule.tags" });
    if (tags.length > 0) {
      rule.tags = tags;
      rule.tagMode = input.tagMode ?? "all";
    }
  }
  rule.takenFrom = takenBound(input.takenFrom, "rule.takenFrom");
  rule.takenTo = takenBound(input.takenTo, "rule.takenTo");
  if (rule.takenFrom && rule.takenTo && rule.takenFrom.slice(0, 10) > rule.takenTo.slice(0, 10)) {
    throw new InvalidError(wording("errors.rule.dateOrder"), { field: "rule.takenFrom" });
  }
  if (input.camera !== undefined) {
    const camera = input.camera.trim();
    if (camera === "") throw new InvalidError(wording("errors.rule.camera"), { field: "rule.camera" });
    rule.camera = camera;
  }
  if (input.near !== undefined) {
    const { latitude, longitude, radiusKm } = input.near;
    if (!(Number.isFinite(latitude) && latitude >= -90 && latitude <= 90)) throw new InvalidError(wording("errors.rule.latitude"), { field: "rule.near.latitude" });
    if (!(Number.isFinite(longitude) && longitude >= -180 && longitude <= 180)) throw new InvalidError(wording("errors.rule.longitude"), { field: "rule.near.longitude" });
    if (!(Number.isFinite(radiusKm) && radiusKm > 0 && radiusKm <= 20_000)) throw new InvalidError(wording("errors.rule.radius"), { field: "rule.near.radiusKm" });
    rule.near = { latitude, longitude, radiusKm };
  }
  if (input.minFaves !== undefined) {
    if (!(Number.isSafeInteger(input.minFaves) && input.minFaves >= 0)) throw new InvalidError(wording("errors.rule.minFaves"), { field: "rule.minFaves" });
    rule.minFaves = input.minFaves;
  }
  const criteria = [rule.tags, rule.takenFrom, rule.takenTo, rule.camera, rule.near, rule.minFaves].filter((c) => c !== undefined);
  if (criteria.length === 0) throw new InvalidError(wording("errors.rule.empty"), { field: "rule" });
  for (const key of Object.keys(rule) as Array<keyof SmartRule>) if (rule[key] === undefined) delete rule[key];
  return rule;
}

/** A smart album's rule as the browser's form sends it: every field text, empty meaning "not a criterion". */
export interface RuleForm {
  tags?: string;
  tagMode?: string;
  takenFrom?: string;
  takenTo?: string;
  camera?: string;
  nearLatitude?: string;
  nearLongitude?: string;
  nearRadiusKm?: string;
  minFaves?: string;
}

/** The form's fields as a rule for `parseRule`; a number that is not one is refused naming its field. */
export function ruleFromForm(form: RuleForm): SmartRule {
  const text = (value: string | undefined) => (value ?? "").trim();
  const number = (value: string | undefined, field: string, notANumber: Wording) => {
    const n = Number(text(value));
    if (text(value) === "" || !Number.isFinite(n)) throw new InvalidError(notANumber, { field });
    return n;
  };
  const rule: SmartRule = {};
  const tags = text(form.tags).split(/[\s,]+/).filter(Boolean);
  if (tags.length > 0) {
    rule.tags = tags;
    rule.tagMode = form.tagMode === "any" ? "any" : "all";
  }
  if (text(form.takenFrom)) rule.takenFrom = text(form.takenFrom);
  if (text(form.takenTo)) rule.takenTo = text(form.takenTo);
  if (text(form.camera)) rule.camera = text(form.camera);
  const near = [form.nearLatitude, form.nearLongitude, form.nearRadiusKm].map(text);
  if (near.some(Boolean)) {
    if (!near.every(Boolean)) throw new InvalidError(wording("errors.rule.placeIncomplete"), { field: "rule.near" });
    rule.near = {
      latitude: number(form.nearLatitude, "rule.near.latitude", wording("errors.rule.latitudeNumber")),
      longitude: number(form.nearLongitude, "rule.near.longitude", wording("errors.rule.longitudeNumber")),
      radiusKm: number(form.nearRadiusKm, "rule.near.radiusKm", wording("errors.rule.radiusNumber")),
    };
  }
  if (text(form.minFaves)) rule.minFaves = number(form.minFaves, "rule.minFaves", wording("errors.rule.favesNumber"));
  return rule;
}

/** A stored rule (written by parseRule, so trusted as to shape). */
export function readRule(json: string): SmartRule {
  return JSON.parse(json) as SmartRule;
}

export const EARTH_RADIUS_KM = 6371.0088;
