import type { RawBuilder } from "kysely";

/**
 * A yes/no question about one photo, as SQL that names the photo's row `photos` ("has it any
 * notes?"). The photo page asks all of them inside its one photo query, so a part of the page
 * with nothing to show costs no query of its own. Made by the repository that owns the table
 * asked about, so SQL stays in repositories.
 */
export type PhotoProbe = RawBuilder<boolean>;
