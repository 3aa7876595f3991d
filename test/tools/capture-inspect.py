#!/usr/bin/env python3
"""capture-inspect.py - make the fixtures of test/resources/inspect from
real containers.

For each CASE, test/resources/inspect/CASE.compose.yaml is rendered with
`mooring render --format json`; every service's create body comes from
container_create_body() (test/tools/container_body.c); the containers are
created (with their project networks and volumes), connected, started,
inspected with their image, and removed again. Each service gives
test/resources/inspect/CASE.SERVICE.json:
    {"project", "service", "model", "inspect", "image"}

    capture-inspect.py MOORING CONTAINER_BODY CASE...

Needs a running dockerd on /var/run/docker.sock and the images the cases
use (mooring-example/busybox:1; mtest-container-img:1 is built here).
Everything it creates is named mtest-container-* and removed, even on
failure.
"""
import http.client
import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse

SOCK = "/var/run/docker.sock"
HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                    "resources", "inspect")
IMAGE = "mtest-container-img:1"
DOCKERFILE = """FROM mooring-example/busybox:1
ENV IMG_VAR=from-image OTHER=image-other
LABEL org.example.image=yes org.example.shared=image
EXPOSE 7000 7001/udp
USER 1234
WORKDIR /srv
STOPSIGNAL SIGUSR1
VOLUME /imgvol
HEALTHCHECK --interval=30s --timeout=3s CMD ["true"]
CMD ["sleep", "3600"]
"""


class Conn(http.client.HTTPConnection):
    def __init__(self):
        super().__init__("localhost")

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(SOCK)


def api(method, path, body=None, ok=(200, 201, 204, 304)):
    c = Conn()
    data = json.dumps(body).encode() if body is not None else None
    c.request(method, "/v1.41" + path, body=data,
              headers={"Content-Type": "application/json"})
    r = c.getresponse()
    raw = r.read()
    c.close()
    if r.status not in ok:
        raise RuntimeError("%s %s: %d %s" % (method, path, r.status, raw))
    return json.loads(raw) if raw else None


def order(services):
    done, out = set(), []
    while len(out) < len(services):
        for name, svc in sorted(services.items()):
            deps = set(svc.get("depends_on", {}))
            for k in ("network_mode", "ipc", "pid"):
                v = svc.get(k, "")
                if v.startswith("service:"):
                    deps.add(v[8:])
            if name not in done and deps <= done:
                done.add(name)
                out.append(name)
    return out


def capture(mooring, body_tool, case, made):
    src = os.path.join(HERE, case + ".compose.yaml")
    model = json.loads(subprocess.check_output(
        [mooring, "render", "-f", src, "--format", "json"]))
    project = model["name"]
    assert project.startswith("mtest-container-"), project
    for key, net in model.get("networks", {}).items():
        if not net.get("external"):
            api("POST", "/networks/create", {"Name": net["name"],
                "Labels": {"mtest": "container"}})
            made["networks"].append(net["name"])
    for key, vol in model.get("volumes", {}).items():
        if not vol.get("external"):
            api("POST", "/volumes/create", {"Name": vol["name"]})
            made["volumes"].append(vol["name"])
    path = "/tmp/mtest-container-model.json"
    with open(path, "w") as f:
        json.dump(model, f)
    ids = {}
    for svc in order(model["services"]):
        out = json.loads(subprocess.check_output([body_tool, path, svc]))
        q = urllib.parse.quote(out["name"])
        cid = api("POST", "/containers/create?name=" + q, out["body"])["Id"]
        made["containers"].append(cid)
        for net, ep in out["extra"].items():
            api("POST", "/networks/%s/connect" % urllib.parse.quote(net),
                {"Container": cid, "EndpointConfig": ep})
        try:
            api("POST", "/containers/%s/start" % cid)
        except RuntimeError as e:
            # Some settings (privileged, capabilities) may not start in a
            # restricted sandbox; the created container still shows them.
            print("warning: %s: not started: %s" % (svc, e))
        ids[svc] = cid
    time.sleep(1)
    for svc, cid in ids.items():
        ins = api("GET", "/containers/%s/json" % cid)
        img = api("GET", "/images/%s/json" % ins["Image"])
        dst = os.path.join(HERE, "%s.%s.json" % (case, svc))
        with open(dst, "w") as f:
            json.dump({"project": project, "service": svc, "model": model,
                       "inspect": ins, "image": img}, f, indent=1,
                      sort_keys=True)
            f.write("\n")
        print("wrote", os.path.relpath(dst))


def main():
    mooring, body_tool, cases = sys.argv[1], sys.argv[2], sys.argv[3:]
    made = {"containers": [], "networks": [], "volumes": []}
    build_dir = "/tmp/mtest-container-build"
    os.makedirs(build_dir, exist_ok=True)
    with open(os.path.join(build_dir, "Dockerfile"), "w") as f:
        f.write(DOCKERFILE)
    subprocess.check_call(["docker", "build", "-q", "-t", IMAGE, build_dir],
                          stdout=subprocess.DEVNULL)
    try:
        for case in cases:
            capture(mooring, body_tool, case, made)
    finally:
        for cid in made["containers"]:
            api("DELETE", "/containers/%s?force=1&v=1" % cid, ok=(204, 404))
        for n in made["networks"]:
            api("DELETE", "/networks/%s" % n, ok=(204, 404))
        for v in made["volumes"]:
            api("DELETE", "/volumes/%s" % v, ok=(204, 404))
        api("DELETE", "/images/%s" % IMAGE, ok=(200, 404, 409))


if __name__ == "__main__":
    main()
