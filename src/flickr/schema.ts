import { Type } from "@sinclair/typebox";

/** Flickr's parameters are whatever the method takes: any name, one value or several. */
const FlickrValue = Type.Union([Type.String({ maxLength: 65_536 }), Type.Array(Type.String({ maxLength: 65_536 }), { maxItems: 50 })]);
export const FlickrParams = Type.Record(Type.String({ maxLength: 100 }), FlickrValue, { maxProperties: 60 });

export const RestDescription =
  "Flickr's REST API: method, format (rest: XML; json, bare with nojsoncallback=1, else wrapped in jsoncallback or jsonFlickrApi), the method's arguments, and api_key or an OAuth 1.0a HMAC-SHA1 signature (over this URL or https://api.flickr.com/services/rest/). Errors are HTTP 200 with stat=fail and Flickr's code. GET, or POST as a form or multipart.";

/** The answers are Flickr's own documents (XML, JSON or JSONP), written by views.ts. */
export const FlickrAnswer = Type.String({ description: "<rsp stat=\"ok\">…</rsp>, {\"stat\":\"ok\",…} or jsonFlickrApi({…})" });
export const OAuthAnswer = Type.String({ description: "application/x-www-form-urlencoded: oauth_token, oauth_token_secret (and user_nsid, username for an access token); refusals are 401 with oauth_problem" });

export const AuthorizeQuery = Type.Object({
  oauth_token: Type.String({ minLength: 1, maxLength: 200 }),
  perms: Type.Optional(Type.String({ maxLength: 10 })),
});

export const AuthorizeForm = Type.Object({
  oauth_token: Type.String({ minLength: 1, maxLength: 200 }),
  perms: Type.Optional(Type.String({ maxLength: 10 })),
  decision: Type.Union([Type.Literal("grant"), Type.Literal("deny")]),
  _csrf: Type.Optional(Type.String({ maxLength: 200 })),
});

export const NewKeyBody = Type.Object({ name: Type.String({ minLength: 1, maxLength: 100, description: "The app's name, shown when it asks a member for access" }) });
export const NewKeyForm = Type.Object({ name: Type.String({ maxLength: 100 }), _csrf: Type.Optional(Type.String({ maxLength: 200 })) });
export const CsrfForm = Type.Object({ _csrf: Type.Optional(Type.String({ maxLength: 200 })) });
export const KeyIdParams = Type.Object({ id: Type.String({ pattern: "^[1-9][0-9]{0,17}$" }) });

export const ApiKeyJson = Type.Object({
  id: Type.String(),
  name: Type.String(),
  key: Type.String({ description: "The API key (Flickr's api_key, OAuth's consumer key)" }),
  secret: Type.String({ description: "The secret (OAuth's consumer secret); shown to its owner always, as Flickr does" }),
  createdAt: Type.String(),
});
export const ApiKeyListJson = Type.Object({ keys: Type.Array(ApiKeyJson) });
