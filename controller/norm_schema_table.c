/*
 * norm_schema_table.c - every key of a Compose file that mooring knows,
 * and what its value may be (compose-spec's schema, as Docker Compose v2
 * reads it). schema.c walks a document along it; see there for what the
 * types mean.
 */
#include <stddef.h>

#include "norm_schema.h"
#include "banned.h"

#define SPEC(...)  (&(const struct sspec){__VA_ARGS__})
#define KEYS(...)  ((const struct skey[]){__VA_ARGS__, {NULL, NULL, 0}})
#define ALTS(...)  ((const struct sspec *const[]){__VA_ARGS__, NULL})
#define ENUMS(...) ((const char *const[]){__VA_ARGS__, NULL})

static const struct sspec s_any = {.type = ST_ANY};
static const struct sspec s_scalar = {.type = ST_SCALAR};
static const struct sspec s_str = {.type = ST_STR};
static const struct sspec s_strnum = {.type = ST_STRNUM};
static const struct sspec s_int = {.type = ST_INT};
static const struct sspec s_float = {.type = ST_FLOAT};
static const struct sspec s_bool = {.type = ST_BOOL};
static const struct sspec s_bytes = {.type = ST_BYTES};
static const struct sspec s_dur = {.type = ST_DURATION};
static const struct sspec s_str_or_list = {.type = ST_STR_OR_LIST};
static const struct sspec s_command = {.type = ST_COMMAND};
static const struct sspec s_lod = {.type = ST_LIST_OR_DICT};
static const struct sspec s_list_str = {.type = ST_LIST, .sub = &s_str};
static const struct sspec s_list_strnum = {.type = ST_LIST, .sub = &s_strnum};
static const struct sspec s_dict_str = {.type = ST_DICT, .sub = &s_str};
static const struct sspec s_dict_strnum = {.type = ST_DICT, .sub = &s_strnum};
static const struct sspec s_dict_any = {.type = ST_DICT, .sub = &s_any};

static const struct sspec s_external = {
    .type = ST_ONEOF,
    .alts = ALTS(&s_bool, SPEC(.type = ST_MAP, .flags = SF_EXT,
			       .keys = KEYS({"name", &s_str, 0}))),
};

static const struct sspec s_extra_hosts = {
    .type = ST_ONEOF,
    .alts = ALTS(
	SPEC(.type = ST_DICT,
	     .sub = SPEC(.type = ST_ONEOF, .alts = ALTS(&s_str, &s_list_str))),
	&s_list_str),
};

static const struct sspec s_ulimits = {
    .type = ST_DICT,
    .sub = SPEC(.type = ST_ONEOF,
		.alts = ALTS(&s_int,
			     SPEC(.type = ST_MAP, .flags = SF_EXT,
				  .keys = KEYS({"soft", &s_int, K_REQUIRED},
					       {"hard", &s_int, K_REQUIRED})))),
};

/* secrets and configs of a service, and of a build */
static const struct sspec s_file_refs = {
    .type = ST_LIST,
    .sub =
	SPEC(.type = ST_ONEOF,
	     .alts = ALTS(
		 &s_str,
		 SPEC(.type = ST_MAP, .flags = SF_EXT,
		      .keys = KEYS({"source", &s_str, 0}, {"target", &s_str, 0},
				   {"uid", &s_strnum, 0}, {"gid", &s_strnum, 0},
				   {"mode", &s_scalar, 0})))),
};

static const struct skey build_keys[] = {
    {"context", &s_str, 0},
    {"dockerfile", &s_str, 0},
    {"dockerfile_inline", &s_str, 0},
    {"entitlements", &s_list_str, 0},
    {"args", &s_lod, 0},
    {"ssh", &s_lod, 0},
    {"labels", &s_lod, 0},
    {"cache_from", &s_list_str, 0},
    {"cache_to", &s_list_str, 0},
    {"no_cache", &s_bool, 0},
    {"additional_contexts", &s_lod, 0},
    {"network", &s_str, 0},
    {"pull", &s_bool, 0},
    {"target", &s_str, 0},
    {"shm_size", &s_bytes, 0},
    {"extra_hosts", &s_extra_hosts, 0},
    {"isolation", &s_str, 0},
    {"privileged", &s_bool, 0},
    {"secrets", &s_file_refs, 0},
    {"tags", &s_list_str, 0},
    {"ulimits", &s_ulimits, 0},
    {"platforms", &s_list_str, 0},
    {NULL, NULL, 0},
};

static const struct sspec s_blkio_rates = {
    .type = ST_LIST,
    .sub = SPEC(.type = ST_MAP,
		.keys = KEYS({"path", &s_str, 0}, {"rate", &s_bytes, 0})),
};
static const struct sspec s_blkio_iops = {
    .type = ST_LIST,
    .sub = SPEC(.type = ST_MAP,
		.keys = KEYS({"path", &s_str, 0}, {"rate", &s_int, 0})),
};

static const struct skey blkio_keys[] = {
    {"device_read_bps", &s_blkio_rates, 0},
    {"device_read_iops", &s_blkio_iops, 0},
    {"device_write_bps", &s_blkio_rates, 0},
    {"device_write_iops", &s_blkio_iops, 0},
    {"weight", &s_int, 0},
    {"weight_device",
     SPEC(.type = ST_LIST,
	  .sub = SPEC(.type = ST_MAP, .keys = KEYS({"path", &s_str, 0},
						   {"weight", &s_int, 0}))),
     0},
    {NULL, NULL, 0},
};

static const struct sspec s_device_requests = {
    .type = ST_LIST,
    .sub = SPEC(.type = ST_MAP, .flags = SF_EXT,
		.keys = KEYS({"capabilities", &s_list_str, 0},
			     {"count", &s_scalar, 0},
			     {"device_ids", &s_list_str, 0},
			     {"driver", &s_str, 0}, {"options", &s_lod, 0})),
};

static const struct sspec s_update_config = {
    .type = ST_MAP,
    .flags = SF_EXT,
    .keys =
	KEYS({"parallelism", &s_int, 0}, {"delay", &s_dur, 0},
	     {"failure_action", &s_str, 0}, {"monitor", &s_dur, 0},
	     {"max_failure_ratio", &s_float, 0},
	     {"order",
	      SPEC(.type = ST_STR, .enums = ENUMS("start-first", "stop-first"),
		   .expected = "start-first, stop-first"),
	      0}),
};

static const struct skey deploy_keys[] = {
    {"mode", &s_str, 0},
    {"endpoint_mode", &s_str, 0},
    {"replicas", &s_int, 0},
    {"labels", &s_lod, 0},
    {"rollback_config", &s_update_config, 0},
    {"update_config", &s_update_config, 0},
    {"resources",
     SPEC(.type = ST_MAP, .flags = SF_EXT,
	  .keys = KEYS(
	      {"limits",
	       SPEC(.type = ST_MAP, .flags = SF_EXT,
		    .keys = KEYS({"cpus", &s_float, 0}, {"memory", &s_bytes, 0},
				 {"pids", &s_int, 0})),
	       0},
	      {"reservations",
	       SPEC(.type = ST_MAP, .flags = SF_EXT,
		    .keys = KEYS(
			{"cpus", &s_float, 0}, {"memory", &s_bytes, 0},
			{"generic_resources",
			 SPEC(.type = ST_LIST,
			      .sub = SPEC(.type = ST_MAP, .flags = SF_EXT,
					  .keys = KEYS(
					      {"discrete_resource_spec",
					       SPEC(.type = ST_MAP,
						    .flags = SF_EXT,
						    .keys = KEYS(
							{"kind", &s_str, 0},
							{"value", &s_int, 0})),
					       0}))),
			 0},
			{"devices", &s_device_requests, 0})),
	       0})),
     0},
    {"restart_policy",
     SPEC(.type = ST_MAP, .flags = SF_EXT,
	  .keys = KEYS({"condition", &s_str, 0}, {"delay", &s_dur, 0},
		       {"max_attempts", &s_int, 0}, {"window", &s_dur, 0})),
     0},
    {"placement",
     SPEC(.type = ST_MAP, .flags = SF_EXT,
	  .keys = KEYS({"constraints", &s_list_str, 0},
		       {"preferences",
			SPEC(.type = ST_LIST,
			     .sub = SPEC(.type = ST_MAP, .flags = SF_EXT,
					 .keys = KEYS({"spread", &s_str, 0}))),
			0},
		       {"max_replicas_per_node", &s_int, 0})),
     0},
    {NULL, NULL, 0},
};

static const struct skey healthcheck_keys[] = {
    {"disable", &s_bool, 0},	   {"interval", &s_dur, 0},
    {"retries", &s_int, 0},	   {"test", &s_command, 0},
    {"timeout", &s_dur, 0},	   {"start_period", &s_dur, 0},
    {"start_interval", &s_dur, 0}, {NULL, NULL, 0},
};

static const struct skey port_keys[] = {
    {"name", &s_str, 0},	 {"mode", &s_str, 0},
    {"host_ip", &s_str, 0},	 {"target", &s_int, 0},
    {"published", &s_strnum, 0}, {"protocol", &s_str, 0},
    {"app_protocol", &s_str, 0}, {NULL, NULL, 0},
};

static const struct skey volume_keys[] = {
    {"type",
     SPEC(.type = ST_STR,
	  .enums =
	      ENUMS("bind", "volume", "tmpfs", "cluster", "npipe", "image"),
	  .expected = "bind, volume, tmpfs, cluster, npipe, image"),
     K_REQUIRED},
    {"source", &s_str, 0},
    {"target", &s_str, 0},
    {"read_only", &s_bool, 0},
    {"consistency", &s_str, 0},
    {"bind",
     SPEC(.type = ST_MAP, .flags = SF_EXT,
	  .keys =
	      KEYS({"propagation", &s_str, 0}, {"create_host_path", &s_bool, 0},
		   {"recursive",
		    SPEC(.type = ST_STR,
			 .enums = ENUMS("enabled", "disabled", "writable",
					"readonly"),
			 .expected = "enabled, disabled, writable, readonly"),
		    0},
		   {"selinux",
		    SPEC(.type = ST_STR, .enums = ENUMS("z", "Z"),
			 .expected = "z, Z"),
		    0})),
     0},
    {"volume",
     SPEC(.type = ST_MAP, .flags = SF_EXT,
	  .keys = KEYS({"labels", &s_lod, 0}, {"nocopy", &s_bool, 0},
		       {"subpath", &s_str, 0})),
     0},
    {"tmpfs",
     SPEC(.type = ST_MAP, .flags = SF_EXT,
	  .keys = KEYS({"size", &s_bytes, 0}, {"mode", &s_scalar, 0})),
     0},
    {"image",
     SPEC(.type = ST_MAP, .flags = SF_EXT,
	  .keys = KEYS({"subpath", &s_str, 0})),
     0},
    {NULL, NULL, 0},
};

static const struct sspec s_service_hooks = {
    .type = ST_LIST,
    .sub = SPEC(.type = ST_MAP, .flags = SF_EXT,
		.keys = KEYS({"command", &s_command, K_REQUIRED},
			     {"user", &s_str, 0}, {"privileged", &s_bool, 0},
			     {"working_dir", &s_str, 0},
			     {"environment", &s_lod, 0})),
};

static const struct sspec s_device_long = {
    .type = ST_MAP,
    .flags = SF_EXT,
    .keys = KEYS({"source", &s_str, K_REQUIRED}, {"target", &s_str, 0},
		 {"permissions", &s_str, 0}),
};
static const struct sspec s_device_item = {
    .type = ST_ONEOF,
    .alts = ALTS(&s_str, &s_device_long),
};
static const struct sspec s_devices = {.type = ST_LIST, .sub = &s_device_item};

static const struct sspec s_env_file_long = {
    .type = ST_MAP,
    .keys = KEYS({"path", &s_str, K_REQUIRED}, {"format", &s_str, 0},
		 {"required", &s_bool, 0}),
};
static const struct sspec s_env_file_item = {
    .type = ST_ONEOF,
    .alts = ALTS(&s_str, &s_env_file_long),
};
static const struct sspec s_env_file_list = {.type = ST_LIST,
					     .sub = &s_env_file_item};
static const struct sspec s_env_file = {
    .type = ST_ONEOF,
    .alts = ALTS(&s_str, &s_env_file_list),
};

static const struct sspec s_service_network = {
    .type = ST_MAP,
    .flags = SF_EXT,
    .keys = KEYS({"aliases", &s_list_str, 0}, {"interface_name", &s_str, 0},
		 {"ipv4_address", &s_str, 0}, {"ipv6_address", &s_str, 0},
		 {"link_local_ips", &s_list_str, 0}, {"mac_address", &s_str, 0},
		 {"driver_opts", &s_dict_strnum, 0}, {"priority", &s_int, 0},
		 {"gw_priority", &s_int, 0}),
};
static const struct sspec s_service_network_map = {
    .type = ST_DICT,
    .flags = SF_NAME,
    .sub = &s_service_network,
};
static const struct sspec s_networks = {
    .type = ST_ONEOF,
    .alts = ALTS(&s_list_str, &s_service_network_map),
};

static const struct sspec s_port_long = {
    .type = ST_MAP,
    .flags = SF_EXT,
    .keys = port_keys,
};
static const struct sspec s_port_item = {
    .type = ST_ONEOF,
    .alts = ALTS(&s_strnum, &s_port_long),
};
static const struct sspec s_ports = {.type = ST_LIST, .sub = &s_port_item};

static const struct sspec s_volume_long = {
    .type = ST_MAP,
    .flags = SF_EXT,
    .keys = volume_keys,
};
static const struct sspec s_volume_item = {
    .type = ST_ONEOF,
    .alts = ALTS(&s_str, &s_volume_long),
};
static const struct sspec s_volumes = {.type = ST_LIST, .sub = &s_volume_item};

static const struct sspec s_depends_on_entry = {
    .type = ST_MAP,
    .flags = SF_EXT,
    .keys = KEYS({"restart", &s_bool, 0}, {"required", &s_bool, 0},
		 {"condition",
		  SPEC(.type = ST_STR,
		       .enums = ENUMS("service_started", "service_healthy",
				      "service_completed_successfully"),
		       .expected = "service_started, service_healthy, "
				   "service_completed_successfully"),
		  0}),
};

static const struct sspec s_depends_on_map = {
    .type = ST_DICT,
    .flags = SF_NAME,
    .sub = &s_depends_on_entry,
};

static const struct sspec s_depends_on = {
    .type = ST_ONEOF,
    .alts = ALTS(&s_list_str, &s_depends_on_map),
};

static const struct skey service_keys[] = {
    {"annotations", &s_lod, 0},
    {"attach", &s_bool, 0},
    {"blkio_config", SPEC(.type = ST_MAP, .keys = blkio_keys), 0},
    {"build",
     SPEC(.type = ST_ONEOF,
	  .alts = ALTS(&s_str, SPEC(.type = ST_MAP, .flags = SF_EXT,
				    .keys = build_keys))),
     0},
    {"cap_add", &s_list_str, 0},
    {"cap_drop", &s_list_str, 0},
    {"cgroup",
     SPEC(.type = ST_STR, .enums = ENUMS("host", "private"),
	  .expected = "host, private"),
     0},
    {"cgroup_parent", &s_str, 0},
    {"command", &s_command, 0},
    {"configs", &s_file_refs, 0},
    {"container_name", &s_str, 0},
    {"cpu_count", &s_int, 0},
    {"cpu_percent", &s_float, 0},
    {"cpu_shares", &s_int, 0},
    {"cpu_quota", &s_int, 0},
    {"cpu_period", &s_int, 0},
    {"cpu_rt_period", &s_int, 0},
    {"cpu_rt_runtime", &s_int, 0},
    {"cpus", &s_float, 0},
    {"cpuset", &s_str, 0},
    {"credential_spec",
     SPEC(.type = ST_MAP, .flags = SF_EXT,
	  .keys = KEYS({"config", &s_str, 0}, {"file", &s_str, 0},
		       {"registry", &s_str, 0})),
     0},
    {"depends_on", &s_depends_on, 0},
    {"deploy", SPEC(.type = ST_MAP, .flags = SF_EXT, .keys = deploy_keys), 0},
    {"develop", &s_any, 0},
    {"device_cgroup_rules", &s_list_str, 0},
    {"devices", &s_devices, 0},
    {"dns", &s_str_or_list, 0},
    {"dns_opt", &s_list_str, 0},
    {"dns_search", &s_str_or_list, 0},
    {"domainname", &s_str, 0},
    {"entrypoint", &s_command, 0},
    {"env_file", &s_env_file, 0},
    {"environment", &s_lod, 0},
    {"expose", &s_list_strnum, 0},
    {"extends",
     SPEC(.type = ST_ONEOF,
	  .alts =
	      ALTS(&s_str, SPEC(.type = ST_MAP,
				.keys = KEYS({"service", &s_str, K_REQUIRED},
					     {"file", &s_str, 0})))),
     0},
    {"external_links", &s_list_str, 0},
    {"extra_hosts", &s_extra_hosts, 0},
    {"gpus",
     SPEC(.type = ST_ONEOF,
	  .alts = ALTS(
	      SPEC(.type = ST_STR, .enums = ENUMS("all"), .expected = "all"),
	      &s_device_requests)),
     0},
    {"group_add", &s_list_strnum, 0},
    {"healthcheck",
     SPEC(.type = ST_MAP, .flags = SF_EXT, .keys = healthcheck_keys), 0},
    {"hostname", &s_str, 0},
    {"image", &s_str, 0},
    {"init", &s_bool, 0},
    {"ipc", &s_str, 0},
    {"isolation", &s_str, 0},
    {"label_file", &s_str_or_list, 0},
    {"labels", &s_lod, 0},
    {"links", &s_list_str, 0},
    {"logging",
     SPEC(.type = ST_MAP, .flags = SF_EXT,
	  .keys = KEYS({"driver", &s_str, 0}, {"options", &s_dict_strnum, 0})),
     0},
    {"mac_address", &s_str, 0},
    {"mem_limit", &s_bytes, 0},
    {"mem_reservation", &s_bytes, 0},
    {"mem_swappiness", &s_int, 0},
    {"memswap_limit", &s_bytes, 0},
    {"models", &s_any, 0},
    {"network_mode", &s_str, 0},
    {"networks", &s_networks, 0},
    {"oom_kill_disable", &s_bool, 0},
    {"oom_score_adj", &s_int, 0},
    {"pid", &s_str, 0},
    {"pids_limit", &s_int, 0},
    {"platform", &s_str, 0},
    {"ports", &s_ports, 0},
    {"post_start", &s_service_hooks, 0},
    {"pre_stop", &s_service_hooks, 0},
    {"privileged", &s_bool, 0},
    {"profiles", &s_list_str, 0},
    {"provider", &s_any, 0},
    {"pull_policy", SPEC(.type = ST_STR, .check = schema_check_pull_policy), 0},
    {"pull_refresh_after", &s_str, 0},
    {"read_only", &s_bool, 0},
    {"restart", SPEC(.type = ST_STR, .check = schema_check_restart), 0},
    {"runtime", &s_str, 0},
    {"scale", &s_int, 0},
    {"secrets", &s_file_refs, 0},
    {"security_opt", &s_list_str, 0},
    {"shm_size", &s_bytes, 0},
    {"stdin_open", &s_bool, 0},
    {"stop_grace_period", &s_dur, 0},
    {"stop_signal", &s_str, 0},
    {"storage_opt", &s_dict_strnum, 0},
    {"sysctls", &s_lod, 0},
    {"tmpfs", &s_str_or_list, 0},
    {"tty", &s_bool, 0},
    {"ulimits", &s_ulimits, 0},
    {"use_api_socket", &s_bool, 0},
    {"user", &s_str, 0},
    {"userns_mode", &s_str, 0},
    {"uts", &s_str, 0},
    {"volumes", &s_volumes, 0},
    {"volumes_from", &s_list_str, 0},
    {"working_dir", &s_str, 0},
    {NULL, NULL, 0},
};

static const struct skey network_keys[] = {
    {"name", &s_str, 0},
    {"driver", &s_str, 0},
    {"driver_opts", &s_dict_strnum, 0},
    {"ipam",
     SPEC(.type = ST_MAP, .flags = SF_EXT,
	  .keys = KEYS({"driver", &s_str, 0},
		       {"config",
			SPEC(.type = ST_LIST,
			     .sub = SPEC(.type = ST_MAP, .flags = SF_EXT,
					 .keys = KEYS({"subnet", &s_str, 0},
						      {"ip_range", &s_str, 0},
						      {"gateway", &s_str, 0},
						      {"aux_addresses",
						       &s_dict_str, 0}))),
			0},
		       {"options", &s_dict_str, 0})),
     0},
    {"external", &s_external, 0},
    {"internal", &s_bool, 0},
    {"enable_ipv4", &s_bool, 0},
    {"enable_ipv6", &s_bool, 0},
    {"attachable", &s_bool, 0},
    {"labels", &s_lod, 0},
    {NULL, NULL, 0},
};

static const struct skey volume_def_keys[] = {
    {"name", &s_str, 0},
    {"driver", &s_str, 0},
    {"driver_opts", &s_dict_strnum, 0},
    {"external", &s_external, 0},
    {"labels", &s_lod, 0},
    {NULL, NULL, 0},
};

static const struct skey secret_def_keys[] = {
    {"name", &s_str, 0},
    {"environment", &s_str, 0},
    {"file", &s_str, 0},
    {"external", &s_external, 0},
    {"labels", &s_lod, 0},
    {"driver", &s_str, 0},
    {"driver_opts", &s_dict_strnum, 0},
    {"template_driver", &s_str, 0},
    {NULL, NULL, 0},
};

static const struct skey config_def_keys[] = {
    {"name", &s_str, 0},
    {"content", &s_str, 0},
    {"environment", &s_str, 0},
    {"file", &s_str, 0},
    {"external", &s_external, 0},
    {"labels", &s_lod, 0},
    {"template_driver", &s_str, 0},
    {NULL, NULL, 0},
};

static const struct skey top_keys[] = {
    {"version", &s_any, K_OBSOLETE},
    {"name", &s_str, 0},
    {"include", &s_any, K_UNSUPPORTED},
    {"services",
     SPEC(.type = ST_DICT, .flags = SF_NAME, .owner_kind = "service",
	  .sub = SPEC(.type = ST_MAP, .flags = SF_EXT, .keys = service_keys)),
     0},
    {"networks",
     SPEC(.type = ST_DICT, .flags = SF_NAME, .owner_kind = "network",
	  .sub = SPEC(.type = ST_MAP, .flags = SF_EXT, .keys = network_keys)),
     0},
    {"volumes",
     SPEC(.type = ST_DICT, .flags = SF_NAME, .owner_kind = "volume",
	  .sub =
	      SPEC(.type = ST_MAP, .flags = SF_EXT, .keys = volume_def_keys)),
     0},
    {"secrets",
     SPEC(.type = ST_DICT, .flags = SF_NAME, .owner_kind = "secret",
	  .sub =
	      SPEC(.type = ST_MAP, .flags = SF_EXT, .keys = secret_def_keys)),
     0},
    {"configs",
     SPEC(.type = ST_DICT, .flags = SF_NAME, .owner_kind = "config",
	  .sub =
	      SPEC(.type = ST_MAP, .flags = SF_EXT, .keys = config_def_keys)),
     0},
    {"models", &s_dict_any, 0},
    {NULL, NULL, 0},
};

const struct sspec schema_document = {
    .type = ST_MAP,
    .flags = SF_EXT,
    .keys = top_keys,
};
