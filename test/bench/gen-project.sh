#!/bin/sh
# Generate the benchmark project: N services (default 200) split over three
# Compose files in DIR, written as a platform team would write them.
#
#   a.yaml  every service: image, environment (10 variables, some
#           interpolated), ports, volumes, labels, healthcheck, depends_on,
#           mem_limit and deploy.resources (the two memory limits agree)
#   b.yaml  half of the services: environment and labels overridden
#   c.yaml  a quarter of the services: more ports and volumes
#
# Only keys that Docker Compose v2 and Debian's docker-compose 1.29 both
# accept, so both tools render the same files.
#
#   sh test/bench/gen-project.sh DIR [N]
set -eu

dir=${1:?usage: gen-project.sh DIR [N]}
n=${2:-200}
mkdir -p "$dir"

awk -v n="$n" -v out="$dir/a.yaml" '
BEGIN {
	tiers[0] = "web"; tiers[1] = "api"; tiers[2] = "worker"; tiers[3] = "cache"
	print "services:" > out
	for (i = 0; i < n; i++) {
		s = sprintf("svc%03d", i)
		t = tiers[i % 4]
		print "  " s ":" > out
		printf "    image: registry.example.com/team%d/%s:${%s_TAG:-1.%d.0}\n", i % 7, s, toupper(s), i % 13 > out
		print "    restart: unless-stopped" > out
		print "    environment:" > out
		printf "      SERVICE_NAME: %s\n", s > out
		printf "      SERVICE_TIER: %s\n", t > out
		print  "      LOG_LEVEL: ${LOG_LEVEL:-info}" > out
		print  "      LOG_FORMAT: json" > out
		printf "      HTTP_PORT: \"%d\"\n", 8080 > out
		printf "      DB_URL: postgres://app:${DB_PASSWORD:-secret}@db%d.internal:5432/%s\n", i % 5, s > out
		printf "      CACHE_URL: redis://cache%d.internal:6379/%d\n", i % 3, i % 16 > out
		print  "      FEATURE_FLAGS: \"alpha,beta,gamma\"" > out
		printf "      MAX_CONNECTIONS: \"%d\"\n", 50 + i % 50 > out
		print  "      TZ: Europe/Berlin" > out
		print "    ports:" > out
		printf "      - \"%d:8080\"\n", 20000 + i > out
		print "    volumes:" > out
		printf "      - %s-data:/var/lib/app\n", s > out
		printf "      - ./config/%s:/etc/app:ro\n", s > out
		print "    labels:" > out
		print "      com.example.team: platform" > out
		printf "      com.example.tier: %s\n", t > out
		printf "      com.example.service: %s\n", s > out
		print "      com.example.owner: ops@example.com" > out
		printf "      com.example.cost-center: \"cc-%d\"\n", 100 + i % 9 > out
		print "    healthcheck:" > out
		print "      test: [\"CMD\", \"wget\", \"-q\", \"--spider\", \"http://localhost:8080/healthz\"]" > out
		print "      interval: 30s" > out
		print "      timeout: 5s" > out
		print "      retries: 3" > out
		print "      start_period: 10s" > out
		if (i % 10 != 0) {
			print "    depends_on:" > out
			printf "      - svc%03d\n", i - 1 > out
		}
		printf "    mem_limit: %dm\n", 128 * (1 + i % 4) > out
		print "    deploy:" > out
		print "      resources:" > out
		print "        limits:" > out
		printf "          memory: %dM\n", 128 * (1 + i % 4) > out
		printf "          cpus: \"%s\"\n", (i % 2 ? "0.5" : "1.0") > out
		print "        reservations:" > out
		print "          memory: 64M" > out
	}
	print "volumes:" > out
	for (i = 0; i < n; i++)
		printf "  svc%03d-data:\n", i > out
}'

awk -v n="$n" -v out="$dir/b.yaml" '
BEGIN {
	print "services:" > out
	for (i = 0; i < n; i += 2) {
		printf "  svc%03d:\n", i > out
		print "    environment:" > out
		print "      LOG_LEVEL: debug" > out
		printf "      MAX_CONNECTIONS: \"%d\"\n", 200 + i > out
		print "      FEATURE_FLAGS: \"alpha,beta,gamma,delta\"" > out
		print "    labels:" > out
		print "      com.example.team: payments" > out
		print "      com.example.canary: \"true\"" > out
	}
}'

awk -v n="$n" -v out="$dir/c.yaml" '
BEGIN {
	print "services:" > out
	for (i = 0; i < n; i += 4) {
		printf "  svc%03d:\n", i > out
		print "    ports:" > out
		printf "      - \"%d:9090\"\n", 30000 + i > out
		print "    volumes:" > out
		printf "      - svc%03d-logs:/var/log/app\n", i > out
		print "      - /etc/ssl/certs:/etc/ssl/certs:ro" > out
	}
	print "volumes:" > out
	for (i = 0; i < n; i += 4)
		printf "  svc%03d-logs:\n", i > out
}'
