"""Drives Debian's python3-flickrapi against a Pinhole server, as a Flickr tool would.

Run by test/http/flickr-python.test.ts: argv is the server's base URL, an API key and secret,
the photo file to upload, and another member's photo id to fave. It prints one JSON line with
the authorize URL, reads the verifier from stdin, and prints one JSON line with what it saw.
Only the host is changed: the library's endpoint URLs are pointed at the server.
"""
import json
import sys

import flickrapi
import flickrapi.auth

base, key, secret, photo_path, other_photo = sys.argv[1:6]

flickrapi.FlickrAPI.REST_URL = base + "/services/rest/"
flickrapi.FlickrAPI.UPLOAD_URL = base + "/services/upload/"
flickrapi.FlickrAPI.REPLACE_URL = base + "/services/replace/"
flickrapi.auth.OAuthFlickrInterface.REQUEST_TOKEN_URL = base + "/services/oauth/request_token"
flickrapi.auth.OAuthFlickrInterface.AUTHORIZE_URL = base + "/services/oauth/authorize"
flickrapi.auth.OAuthFlickrInterface.ACCESS_TOKEN_URL = base + "/services/oauth/access_token"

flickr = flickrapi.FlickrAPI(key, secret, format="parsed-json", store_token=False)

# OAuth, out of band: the test plays the member in a browser and hands back the verifier.
flickr.get_request_token(oauth_callback="oob")
print(json.dumps({"authorize": flickr.auth_url(perms="write")}), flush=True)
verifier = sys.stdin.readline().strip()
flickr.get_access_token(verifier)
out = {"valid": flickr.token_valid(perms="write")}

login = flickr.test.login()
nsid = login["user"]["id"]
out["login"] = login["user"]["username"]["_content"]

uploaded = flickr.upload(filename=photo_path, title="From Python", description="Sent by python3-flickrapi", tags='python "flickr api"', is_public=1, format="etree")
photo_id = uploaded.find("photoid").text
out["photo_id"] = photo_id

info = flickr.photos.getInfo(photo_id=photo_id)["photo"]
out["info"] = {"title": info["title"]["_content"], "description": info["description"]["_content"], "tags": [t["raw"] for t in info["tags"]["tag"]], "ispublic": info["visibility"]["ispublic"], "owner": info["owner"]["nsid"]}

sizes = flickr.photos.getSizes(photo_id=photo_id)["sizes"]["size"]
out["sizes"] = [s["label"] for s in sizes]
out["square_url"] = sizes[0]["source"]

search = flickr.photos.search(user_id="me", tags="python", extras="url_m,tags")["photos"]
out["search"] = [p["id"] for p in search["photo"]]

mine = flickr.people.getPhotos(user_id=nsid)["photos"]
out["people_photos"] = [p["id"] for p in mine["photo"]]

flickr.photos.comments.addComment(photo_id=photo_id, comment_text="Nice one, from Python")
comments = flickr.photos.comments.getList(photo_id=photo_id)["comments"]["comment"]
out["comments"] = [c["_content"] for c in comments]

flickr.favorites.add(photo_id=other_photo)
out["faves"] = [p["id"] for p in flickr.favorites.getList()["photos"]["photo"]]

flickr.photos.geo.setLocation(photo_id=photo_id, lat="54.58", lon="-3.14")
location = flickr.photos.geo.getLocation(photo_id=photo_id)["photo"]["location"]
out["location"] = [float(location["latitude"]), float(location["longitude"])]

created = flickr.photosets.create(title="Python album", primary_photo_id=photo_id)["photoset"]
sets = flickr.photosets.getList()["photosets"]["photoset"]
in_set = flickr.photosets.getPhotos(photoset_id=created["id"])["photoset"]["photo"]
out["photosets"] = {"titles": [s["title"]["_content"] for s in sets], "photos": [p["id"] for p in in_set]}

found = flickr.photos.search(user_id="me", text="python flickrapi")["photos"]
out["text_search"] = [p["id"] for p in found["photo"]]

# A photo one may not see is not found, as on Flickr.
try:
    flickr.photos.getInfo(photo_id="1")
except flickrapi.FlickrError as error:
    out["missing"] = error.code

print(json.dumps(out), flush=True)
