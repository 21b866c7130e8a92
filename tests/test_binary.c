/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The brigade binary as a user runs it (path in argv[1]): a net_null run
 * stopped by SIGTERM or SIGINT or by --duration, with the summary and the JSON
 * checked; bad command lines (exit 2, one line naming the flag); --help; and
 * a start-up without a worker lcore.
 *
 * Every child runs with its output in temporary files and a bounded wait: a
 * child still running at the deadline is killed and the test fails.
 * The EAL gets --in-memory --no-pci so runs never collide, except in the
 * run that is watched through its telemetry socket: that one gets a
 * --file-prefix of its own instead, as README.md tells users to.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "test_helper.h"

#define MAX_ARGS 48
#define EAL_RUN_TIMEOUT_S 30.0     /* EAL start-up and teardown included */
#define START_TIMEOUT_S 30.0       /* until "forwarding" is printed */
#define STOP_TIMEOUT_S 10.0        /* from the signal to the exit */

static const char *brigade;

/* The EAL arguments every forwarding run uses: main lcore 0, worker lcore 1. */
#define EAL_ARGS "-l0,1", "--in-memory", "--no-pci", "--no-telemetry"
#define NULL_PORTS "--vdev", "net_null0", "--vdev", "net_null1"

struct proc {
	pid_t pid;
	bool exited;                   /* reaped; status valid */
	int status;
	char out_path[64];
	char err_path[64];
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Start brigade with args (NULL-terminated, without argv[0]), stdout and
 * stderr into fresh temporary files. Returns 0 or -1. */
static int
proc_start(struct proc *p, const char *const args[])
{
	char *argv[MAX_ARGS + 2];
	int out_fd, err_fd, n = 0;

	memset(p, 0, sizeof(*p));
	p->pid = -1;
	snprintf(p->out_path, sizeof(p->out_path), "/tmp/bg_test_binary_out_XXXXXX");
	snprintf(p->err_path, sizeof(p->err_path), "/tmp/bg_test_binary_err_XXXXXX");
	out_fd = mkstemp(p->out_path);
	err_fd = mkstemp(p->err_path);
	if (out_fd < 0 || err_fd < 0) {
		perror("mkstemp");
		if (out_fd >= 0)
			close(out_fd);
		if (err_fd >= 0)
			close(err_fd);
		return -1;
	}
	argv[n++] = (char *)brigade;
	while (args[n - 1] != NULL && n <= MAX_ARGS) {
		argv[n] = (char *)args[n - 1];
		n++;
	}
	argv[n] = NULL;

	fflush(stdout);
	fflush(stderr);
	p->pid = fork();
	if (p->pid < 0) {
		perror("fork");
		close(out_fd);
		close(err_fd);
		return -1;
	}
	if (p->pid == 0) {
		int null_fd = open("/dev/null", O_RDONLY);

		if (null_fd >= 0)
			dup2(null_fd, STDIN_FILENO);
		dup2(out_fd, STDOUT_FILENO);
		dup2(err_fd, STDERR_FILENO);
		execv(brigade, argv);
		_exit(127);
	}
	close(out_fd);
	close(err_fd);
	return 0;
}

/* Has the child exited? Reaps it once. */
static bool
proc_poll(struct proc *p)
{
	if (!p->exited && p->pid > 0 && waitpid(p->pid, &p->status, WNOHANG) == p->pid)
		p->exited = true;
	return p->exited;
}

/* Wait up to timeout_s for the child to exit; kill it after that.
 * Returns true when it exited on its own. */
static bool
proc_wait(struct proc *p, double timeout_s)
{
	const double deadline = now_s() + timeout_s;

	if (p->pid <= 0)
		return false;
	while (!proc_poll(p)) {
		if (now_s() > deadline) {
			fprintf(stderr, "brigade (pid %d) still running after %.0f s: killed\n",
				(int)p->pid, timeout_s);
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &p->status, 0);
			p->exited = true;
			return false;
		}
		usleep(10 * 1000);
	}
	return true;
}

/* A file's whole content, NUL-terminated ("" when unreadable). Free it. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0;

	if (f != NULL) {
		for (;;) {
			size_t got;

			if (cap - len < 4096) {
				char *nb = realloc(buf, cap + 65536);

				if (nb == NULL)
					break;
				buf = nb;
				cap += 65536;
			}
			got = fread(buf + len, 1, cap - len - 1, f);
			len += got;
			if (got == 0)
				break;
		}
		fclose(f);
	}
	if (buf == NULL)
		return strdup("");
	buf[len] = '\0';
	return buf;
}

static bool
file_contains(const char *path, const char *needle)
{
	char *s = slurp(path);
	bool found = strstr(s, needle) != NULL;

	free(s);
	return found;
}

/* Wait up to timeout_s for needle on the child's stdout. False when it did
 * not come, or the child exited first. */
static bool
proc_wait_output(struct proc *p, const char *needle, double timeout_s)
{
	const double deadline = now_s() + timeout_s;

	for (;;) {
		if (file_contains(p->out_path, needle))
			return true;
		if (proc_poll(p) || now_s() > deadline)
			return file_contains(p->out_path, needle);
		usleep(20 * 1000);
	}
}

/* Kill the child if it still runs, remove the capture files. */
static void
proc_cleanup(struct proc *p)
{
	if (p->pid > 0 && !proc_poll(p)) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, &p->status, 0);
		p->exited = true;
	}
	unlink(p->out_path);
	unlink(p->err_path);
}

static void
dump_output(const struct proc *p)
{
	char *out = slurp(p->out_path), *err = slurp(p->err_path);

	fprintf(stderr, "\n--- brigade stdout ---\n%s--- brigade stderr ---\n%s---\n", out, err);
	free(out);
	free(err);
}

static bool
exited_with(const struct proc *p, int code)
{
	return p->exited && WIFEXITED(p->status) && WEXITSTATUS(p->status) == code;
}

/* Run to completion within timeout_s. */
static void
run(struct proc *p, const char *const args[], double timeout_s)
{
	if (proc_start(p, args) != 0) {
		CU_FAIL("cannot start brigade");
		return;
	}
	CU_ASSERT_TRUE(proc_wait(p, timeout_s));
	CU_ASSERT_FALSE(WIFSIGNALED(p->status));
}

/* ---- JSON summary ---- */

/* The number after the first "key": in s; false if absent. */
static bool
json_u64(const char *s, const char *key, uint64_t *v)
{
	char pat[64];
	const char *at;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	at = strstr(s, pat);
	return at != NULL && sscanf(at + strlen(pat), " %" SCNu64, v) == 1;
}

static bool
json_double(const char *s, const char *key, double *v)
{
	char pat[64];
	const char *at;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	at = strstr(s, pat);
	return at != NULL && sscanf(at + strlen(pat), " %lf", v) == 1;
}

/* Check the summary of a forwarding run: JSON at json_path, stdout. */
static void
check_summary(const struct proc *p, const char *json_path, const char *fwd)
{
	char *out = slurp(p->out_path);
	char *json = slurp(json_path);
	char want[64];
	uint64_t rx = 0, tx = 0, drops = 0;
	struct stat st;

	CU_ASSERT_PTR_NOT_NULL(strstr(out, "conservation:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "OK"));
	CU_ASSERT_PTR_NULL(strstr(out, "FAILED"));

	CU_ASSERT_EQUAL(stat(json_path, &st), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"conserved\": true"));
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"packets_conserved\": true"));
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"pools_returned\": true"));
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"mode\": \"pinned\""));
	snprintf(want, sizeof(want), "\"fwd\": \"%s\"", fwd);
	CU_ASSERT_PTR_NOT_NULL(strstr(json, want));
	/* The totals come first in the object. */
	CU_ASSERT_TRUE(json_u64(json, "rx_packets", &rx));
	CU_ASSERT_TRUE(json_u64(json, "tx_packets", &tx));
	CU_ASSERT_TRUE(json_u64(json, "drop_packets", &drops));
	CU_ASSERT_TRUE(rx > 0);
	CU_ASSERT_EQUAL(rx, tx + drops);
	/* Both null ports were used. */
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"name\": \"net_null0\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(json, "\"name\": \"net_null1\""));
	free(out);
	free(json);
}

/* A temporary directory for the JSON file; path gets dir/summary.json. */
static bool
json_tmp(char *dir, size_t dirlen, char *path, size_t pathlen)
{
	snprintf(dir, dirlen, "/tmp/bg_test_binary_json_XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return false;
	}
	snprintf(path, pathlen, "%s/summary.json", dir);
	return true;
}

static void
json_tmp_remove(const char *dir, const char *path)
{
	char tmp[512];

	unlink(path);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	rmdir(dir);
}

/* ---- a: b: forwarding runs ---- */

/* Start a null-port run, let it forward for a second, signal it. */
static void
run_until_signal(int sig, const char *fwd)
{
	char dir[64], json[128];
	struct proc p;

	if (!json_tmp(dir, sizeof(dir), json, sizeof(json))) {
		CU_FAIL("mkdtemp");
		return;
	}
	{
		const char *const args[] = { EAL_ARGS, NULL_PORTS, "--", "--fwd", fwd,
					     "--json", json, NULL };

		if (proc_start(&p, args) != 0) {
			CU_FAIL("cannot start brigade");
			json_tmp_remove(dir, json);
			return;
		}
	}
	CU_ASSERT_TRUE(proc_wait_output(&p, "forwarding", START_TIMEOUT_S));
	CU_ASSERT_FALSE(p.exited);
	usleep(1000 * 1000);
	CU_ASSERT_FALSE(proc_poll(&p));
	if (!p.exited)
		kill(p.pid, sig);
	CU_ASSERT_TRUE(proc_wait(&p, STOP_TIMEOUT_S));
	CU_ASSERT_FALSE(WIFSIGNALED(p.status));
	CU_ASSERT_TRUE(exited_with(&p, 0));
	check_summary(&p, json, fwd);
	if (!exited_with(&p, 0))
		dump_output(&p);
	proc_cleanup(&p);
	json_tmp_remove(dir, json);
}

static void
test_sigterm_mac(void)
{
	run_until_signal(SIGTERM, "mac");
}

static void
test_sigint_io(void)
{
	run_until_signal(SIGINT, "io");
}

static void
test_duration(void)
{
	char dir[64], json[128];
	double t0, elapsed, duration = 0;
	struct proc p;
	char *js;

	if (!json_tmp(dir, sizeof(dir), json, sizeof(json))) {
		CU_FAIL("mkdtemp");
		return;
	}
	{
		const char *const args[] = { EAL_ARGS, NULL_PORTS, "--", "--fwd", "macswap",
					     "--duration", "1", "--stats", "0.25",
					     "--json", json, NULL };

		t0 = now_s();
		run(&p, args, EAL_RUN_TIMEOUT_S);
		elapsed = now_s() - t0;
	}
	CU_ASSERT_TRUE(exited_with(&p, 0));
	CU_ASSERT_TRUE(elapsed >= 1.0);
	check_summary(&p, json, "macswap");
	/* the forwarding time is the asked duration, near enough */
	js = slurp(json);
	CU_ASSERT_TRUE(json_double(js, "duration_s", &duration));
	/* Never short of it; how much longer depends on the machine. */
	CU_ASSERT_TRUE(duration >= 0.95);
	free(js);
	/* --stats printed per-port lines while it ran */
	CU_ASSERT_TRUE(file_contains(p.out_path, "port 0: rx"));
	if (!exited_with(&p, 0))
		dump_output(&p);
	proc_cleanup(&p);
	json_tmp_remove(dir, json);
}

/*
 * Every model forwards net_bgen's packets: count= of them on each port, all
 * received and sent, and every one measured (the latency block counts them
 * all as stamped samples). Two workers: the pipeline needs them.
 */
static void
test_bgen_models(void)
{
	static const char *const models[] = { "pinned", "pipeline", "migrate", "eventdev" };

	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		char dir[64], json[128], want[64];
		uint64_t rx = 0, tx = 0, samples = 0, unstamped = 1;
		const char *at;
		struct proc p;
		char *js;

		if (!json_tmp(dir, sizeof(dir), json, sizeof(json))) {
			CU_FAIL("mkdtemp");
			return;
		}
		{
			const char *const args[] = {
				"--lcores=0@0,1@0,2@1", "--in-memory", "--no-pci", "--no-telemetry",
				"--vdev", "net_bgen0,count=2000,flows=64",
				"--vdev", "net_bgen1,count=2000,flows=64,seed=2",
				"--", "--mode", models[i], "--duration", "3", "--json", json, NULL };

			run(&p, args, EAL_RUN_TIMEOUT_S);
		}
		CU_ASSERT_TRUE(exited_with(&p, 0));
		js = slurp(json);
		snprintf(want, sizeof(want), "\"mode\": \"%s\"", models[i]);
		CU_ASSERT_PTR_NOT_NULL(strstr(js, want));
		CU_ASSERT_PTR_NOT_NULL(strstr(js, "\"conserved\": true"));
		CU_ASSERT_TRUE(json_u64(js, "rx_packets", &rx));
		CU_ASSERT_TRUE(json_u64(js, "tx_packets", &tx));
		at = strstr(js, "\"latency\": {");
		CU_ASSERT_PTR_NOT_NULL(at);
		if (at != NULL) {
			CU_ASSERT_TRUE(json_u64(at, "samples", &samples));
			CU_ASSERT_TRUE(json_u64(at, "unstamped", &unstamped));
		}
		CU_ASSERT_EQUAL(rx, 4000);
		CU_ASSERT_EQUAL(tx, 4000);
		CU_ASSERT_EQUAL(samples, 4000);
		CU_ASSERT_EQUAL(unstamped, 0);
		if (!exited_with(&p, 0) || tx != 4000 || samples != 4000) {
			fprintf(stderr, "mode %s: rx %" PRIu64 " tx %" PRIu64 " samples %" PRIu64 "\n",
				models[i], rx, tx, samples);
			dump_output(&p);
		}
		free(js);
		proc_cleanup(&p);
		json_tmp_remove(dir, json);
	}
}

/* ---- --stats lines ---- */

/*
 * A JSON reader, enough to check that a line is one valid JSON value (RFC
 * 8259) and to look at its members: nodes in an array, children linked.
 */
#define JSON_NODES 1024

struct jnode {
	char type;                     /* o(bject) a(rray) s(tring) n(umber) b(ool) z (null) */
	const char *key;               /* member name in its object, not NUL-ended */
	size_t key_len;
	double num;
	int first, next;               /* children; -1: none */
};

struct jdoc {
	struct jnode n[JSON_NODES];
	int count;
	const char *p;
};

static void
j_space(struct jdoc *d)
{
	while (*d->p == ' ' || *d->p == '\t' || *d->p == '\n' || *d->p == '\r')
		d->p++;
}

/* A string at d->p (its quote); its content's start and length. */
static bool
j_string(struct jdoc *d, const char **start, size_t *len)
{
	if (*d->p != '"')
		return false;
	*start = ++d->p;
	while (*d->p != '"') {
		const unsigned char c = (unsigned char)*d->p;

		if (c < 0x20)
			return false;      /* also the end of the text */
		if (c == '\\') {
			d->p++;
			if (*d->p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)d->p[i]))
						return false;
				d->p += 4;
			} else if (strchr("\"\\/bfnrt", *d->p) == NULL || *d->p == '\0') {
				return false;
			}
		}
		d->p++;
	}
	*len = (size_t)(d->p - *start);
	d->p++;
	return true;
}

static bool
j_number(struct jdoc *d, double *v)
{
	const char *s = d->p;

	if (*d->p == '-')
		d->p++;
	if (*d->p == '0')
		d->p++;
	else if (isdigit((unsigned char)*d->p))
		while (isdigit((unsigned char)*d->p))
			d->p++;
	else
		return false;
	if (*d->p == '.') {
		d->p++;
		if (!isdigit((unsigned char)*d->p))
			return false;
		while (isdigit((unsigned char)*d->p))
			d->p++;
	}
	if (*d->p == 'e' || *d->p == 'E') {
		d->p++;
		if (*d->p == '+' || *d->p == '-')
			d->p++;
		if (!isdigit((unsigned char)*d->p))
			return false;
		while (isdigit((unsigned char)*d->p))
			d->p++;
	}
	*v = strtod(s, NULL);
	return true;
}

/* Parse a value at d->p into a new node; its index, or -1. */
static int
j_value(struct jdoc *d, int depth)
{
	struct jnode *n;
	int self, last = -1;

	j_space(d);
	if (d->count == JSON_NODES || depth > 16)
		return -1;
	self = d->count++;
	n = &d->n[self];
	memset(n, 0, sizeof(*n));
	n->first = n->next = -1;
	if (*d->p == '{' || *d->p == '[') {
		const bool obj = *d->p == '{';
		const char close = obj ? '}' : ']';

		n->type = obj ? 'o' : 'a';
		d->p++;
		j_space(d);
		if (*d->p == close) {
			d->p++;
			return self;
		}
		for (;;) {
			const char *key = NULL;
			size_t key_len = 0;
			int child;

			j_space(d);
			if (obj) {
				if (!j_string(d, &key, &key_len))
					return -1;
				j_space(d);
				if (*d->p++ != ':')
					return -1;
			}
			child = j_value(d, depth + 1);
			if (child < 0)
				return -1;
			d->n[child].key = key;
			d->n[child].key_len = key_len;
			if (last < 0)
				d->n[self].first = child;
			else
				d->n[last].next = child;
			last = child;
			j_space(d);
			if (*d->p == ',') {
				d->p++;
				continue;
			}
			if (*d->p++ != close)
				return -1;
			return self;
		}
	}
	if (*d->p == '"') {
		const char *str;
		size_t len;

		n->type = 's';
		return j_string(d, &str, &len) ? self : -1;
	}
	if (strncmp(d->p, "true", 4) == 0 || strncmp(d->p, "false", 5) == 0) {
		n->type = 'b';
		d->p += *d->p == 't' ? 4 : 5;
		return self;
	}
	if (strncmp(d->p, "null", 4) == 0) {
		n->type = 'z';
		d->p += 4;
		return self;
	}
	n->type = 'n';
	return j_number(d, &n->num) ? self : -1;
}

/* Parse text, which must be one JSON value and nothing else. Root: node 0. */
static bool
j_parse(struct jdoc *d, const char *text)
{
	d->count = 0;
	d->p = text;
	if (j_value(d, 0) != 0)
		return false;
	j_space(d);
	return *d->p == '\0';
}

/* Member key of object node o, or NULL. */
static const struct jnode *
j_get(const struct jdoc *d, const struct jnode *o, const char *key)
{
	for (int i = o->first; i >= 0; i = d->n[i].next)
		if (d->n[i].key_len == strlen(key) && strncmp(d->n[i].key, key, d->n[i].key_len) == 0)
			return &d->n[i];
	return NULL;
}

static unsigned
j_members(const struct jdoc *d, const struct jnode *o)
{
	unsigned k = 0;

	for (int i = o->first; i >= 0; i = d->n[i].next)
		k++;
	return k;
}

/*
 * Does object o have exactly the members keys[] (in any order), each of the
 * type its letter in types[] says ('N': a number or null, 'c': a count, a
 * whole number >= 0)? Says what is wrong on stderr.
 */
static bool
j_has_exactly(const struct jdoc *d, const struct jnode *o, const char *const keys[],
	      const char *types, const char *what)
{
	unsigned n = 0;

	if (o == NULL || o->type != 'o') {
		fprintf(stderr, "%s: not an object\n", what);
		return false;
	}
	for (; keys[n] != NULL; n++) {
		const struct jnode *m = j_get(d, o, keys[n]);
		const char t = types[n];
		bool ok = m != NULL;

		if (ok && t == 'N')
			ok = m->type == 'n' || m->type == 'z';
		else if (ok && t == 'c')
			ok = m->type == 'n' && m->num >= 0 && m->num == (double)(uint64_t)m->num;
		else if (ok)
			ok = m->type == t;
		if (!ok) {
			fprintf(stderr, "%s: member %s missing or not of type %c\n", what, keys[n], t);
			return false;
		}
	}
	if (j_members(d, o) != n) {
		fprintf(stderr, "%s: %u members, documented %u\n", what, j_members(d, o), n);
		return false;
	}
	return true;
}

/* The keys README.md documents for a --stats-format json line. */
static const char *const stats_keys[] = {
	"time_s", "interval_s", "rx_packets", "tx_packets", "drop_packets", "rx_pps", "tx_pps",
	"drop_pps", "rx_bps", "tx_bps", "ports", "lcores", NULL,
};
static const char stats_types[] = "nncccnnnNNaa";
static const char *const stats_port_keys[] = {
	"port", "name", "rx_packets", "tx_packets", "drop_packets", "drops", "rx_pps", "tx_pps",
	"drop_pps", "rx_bps", "tx_bps", NULL,
};
static const char stats_port_types[] = "csccconnnNN";
static const char *const stats_lcore_keys[] = { "lcore", "polls", "busy_polls", "busy_share", NULL };
static const char stats_lcore_types[] = "cccN";
static const char *const drop_keys[] = {
	"tx_full", "runt", "no_task", "pace_queue", "chan_full", "shutdown", NULL,
};
static const char drop_types[] = "cccccc";

/* Check one --stats JSON line; its totals go to *rx and *time_s. */
static bool
check_stats_line(const char *line, uint64_t *rx, double *time_s)
{
	static struct jdoc d;
	const struct jnode *root = &d.n[0], *ports, *lcores;
	double sum_rx = 0;
	unsigned nb_ports = 0, nb_lcores = 0;

	if (!j_parse(&d, line)) {
		fprintf(stderr, "not one JSON value: '%s' (at '%.20s')\n", line, d.p);
		return false;
	}
	if (!j_has_exactly(&d, root, stats_keys, stats_types, "stats line"))
		return false;
	ports = j_get(&d, root, "ports");
	lcores = j_get(&d, root, "lcores");
	for (int i = ports->first; i >= 0; i = d.n[i].next, nb_ports++) {
		if (!j_has_exactly(&d, &d.n[i], stats_port_keys, stats_port_types, "stats port") ||
		    !j_has_exactly(&d, j_get(&d, &d.n[i], "drops"), drop_keys, drop_types,
				   "stats port drops"))
			return false;
		sum_rx += j_get(&d, &d.n[i], "rx_packets")->num;
	}
	for (int i = lcores->first; i >= 0; i = d.n[i].next, nb_lcores++) {
		const struct jnode *b;

		if (!j_has_exactly(&d, &d.n[i], stats_lcore_keys, stats_lcore_types, "stats lcore"))
			return false;
		b = j_get(&d, &d.n[i], "busy_share");
		if (b->type == 'n' && (b->num < 0 || b->num > 1)) {
			fprintf(stderr, "busy_share %g\n", b->num);
			return false;
		}
	}
	*rx = (uint64_t)j_get(&d, root, "rx_packets")->num;
	*time_s = j_get(&d, root, "time_s")->num;
	if (nb_ports != 2 || nb_lcores != 1 || sum_rx != (double)*rx ||
	    j_get(&d, root, "interval_s")->num <= 0) {
		fprintf(stderr, "%u ports, %u lcores, rx %" PRIu64 " of ports' %.0f\n", nb_ports,
			nb_lcores, *rx, sum_rx);
		return false;
	}
	return true;
}

/* The EAL arguments and ports of the --stats runs: two generator ports at
 * 1000 packets a second (the rates are then in kpps and kbit/s). */
#define BGEN_SLOW_PORTS "--vdev", "net_bgen0,rate=1000", "--vdev", "net_bgen1,rate=1000"

/*
 * --stats 0.2 --stats-format json: every line on stdout that starts with
 * '{' is one JSON object with exactly the documented keys, its totals the
 * sum of its ports', time and counters growing, never beyond the summary's.
 * How many lines come depends on the machine: at least one.
 */
static void
test_stats_json(void)
{
	char dir[64], json[128];
	uint64_t last_rx = 0, summary_rx = 0;
	double last_t = 0;
	unsigned lines = 0, bad = 0;
	struct proc p;
	char *out, *js, *save = NULL;

	if (!json_tmp(dir, sizeof(dir), json, sizeof(json))) {
		CU_FAIL("mkdtemp");
		return;
	}
	{
		const char *const args[] = { EAL_ARGS, BGEN_SLOW_PORTS, "--", "--stats", "0.2",
					     "--stats-format", "json", "--duration", "2",
					     "--json", json, NULL };

		run(&p, args, EAL_RUN_TIMEOUT_S);
	}
	CU_ASSERT_TRUE(exited_with(&p, 0));
	out = slurp(p.out_path);
	for (char *line = strtok_r(out, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		uint64_t rx = 0;
		double t = 0;

		if (line[0] != '{')
			continue;
		lines++;
		if (!check_stats_line(line, &rx, &t) || rx < last_rx || t <= last_t) {
			if (bad++ == 0)
				fprintf(stderr, "\nbad --stats line %u: %s\n", lines, line);
			continue;
		}
		last_rx = rx;
		last_t = t;
	}
	CHECK(lines >= 1 && bad == 0, "%u --stats lines, %u bad", lines, bad);
	js = slurp(json);
	CU_ASSERT_TRUE(json_u64(js, "rx_packets", &summary_rx));
	CHECK(last_rx <= summary_rx, "last --stats line rx %" PRIu64 " > summary's %" PRIu64,
	      last_rx, summary_rx);
	if (!exited_with(&p, 0) || bad != 0)
		dump_output(&p);
	free(js);
	free(out);
	proc_cleanup(&p);
	json_tmp_remove(dir, json);
}

/*
 * --stats 0.2 (text): per period a line per port with packet and bit rates
 * in scaled units, and one of the lcores' busy shares; never the old
 * "0.000 Mpps" for a port that forwards 1000 packets a second.
 */
static void
test_stats_text(void)
{
	unsigned port_lines = 0, lcore_lines = 0, bad = 0;
	struct proc p;
	char *out, *save = NULL;

	{
		const char *const args[] = { EAL_ARGS, BGEN_SLOW_PORTS, "--", "--stats", "0.2",
					     "--duration", "2", NULL };

		run(&p, args, EAL_RUN_TIMEOUT_S);
	}
	CU_ASSERT_TRUE(exited_with(&p, 0));
	out = slurp(p.out_path);
	CU_ASSERT_PTR_NULL(strstr(out, "0.000 Mpps"));
	for (char *line = strtok_r(out, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *at = strstr(line, "] port ");

		if (line[0] != '[')
			continue;
		if (strstr(line, "] lcores busy: 1 ") != NULL) {
			lcore_lines++;
			continue;
		}
		if (at != NULL && strstr(at, ": rx ") != NULL && strstr(at, "pps ") != NULL &&
		    strstr(at, "bit/s  tx ") != NULL && strstr(at, "  drop ") != NULL) {
			port_lines++;
			continue;
		}
		if (bad++ == 0)
			fprintf(stderr, "\nunexpected --stats line: %s\n", line);
	}
	CHECK(port_lines >= 2 && port_lines == 2 * lcore_lines && bad == 0,
	      "%u port lines, %u lcore lines, %u others", port_lines, lcore_lines, bad);
	if (!exited_with(&p, 0) || bad != 0)
		dump_output(&p);
	free(out);
	proc_cleanup(&p);
}

/* ---- watching a running brigade from outside ---- */

/* Send cmd on the telemetry socket at path (after its greeting); the answer
 * into buf. False when the socket could not be used. */
static bool
telemetry_query(const char *path, const char *cmd, char *buf, size_t len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	ssize_t n = -1;
	int fd;

	buf[0] = '\0';
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0)
		return false;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0 &&
	    recv(fd, buf, len - 1, 0) > 0 && send(fd, cmd, strlen(cmd), 0) > 0)
		n = recv(fd, buf, len - 1, 0);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n > 0;
}

/* Remove what an exited DPDK process left in /var/run/dpdk/<prefix>/ (the
 * EAL keeps its shared configuration there for secondary processes). */
static void
runtime_dir_remove(const char *prefix)
{
	char dir[160], path[512];
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "/var/run/dpdk/%s", prefix);
	d = opendir(dir);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/*
 * A run with a --file-prefix and without --in-memory, as README.md's
 * "Watching a running brigade" says: its telemetry socket answers the
 * /brigade/ commands while it forwards, and the run still ends with every
 * packet accounted for.
 *
 * Capture (dpdk-dumpcap) is not run here: DPDK 22.11's pdump server
 * removes its callbacks without waiting for a worker that is inside one,
 * so a capture that ends while brigade forwards can, rarely (a worker
 * descheduled in the callback), crash brigade; on a loaded machine that
 * would make this test fail at random. README.md says so.
 */
static void
test_watch(void)
{
	char prefix[64], arg[80], sock[160], answer[16384];
	struct proc p;
	uint64_t rx = 0;

	snprintf(prefix, sizeof(prefix), "bg_test_watch_%d", (int)getpid());
	snprintf(arg, sizeof(arg), "--file-prefix=%s", prefix);
	snprintf(sock, sizeof(sock), "/var/run/dpdk/%s/dpdk_telemetry.v2", prefix);
	{
		const char *const args[] = { "-l0,1", arg, "--no-pci", NULL_PORTS, "--", NULL };

		if (proc_start(&p, args) != 0) {
			CU_FAIL("cannot start brigade");
			return;
		}
	}
	CU_ASSERT_TRUE(proc_wait_output(&p, "forwarding", START_TIMEOUT_S));

	CHECK(telemetry_query(sock, "/brigade/info", answer, sizeof(answer)) &&
	      strstr(answer, "\"state\":\"forwarding\"") != NULL &&
	      strstr(answer, "\"mode\":\"pinned\"") != NULL, "/brigade/info: '%s'", answer);
	CHECK(telemetry_query(sock, "/brigade/port,0", answer, sizeof(answer)) &&
	      json_u64(answer, "rx_packets", &rx), "/brigade/port,0: '%s'", answer);

	if (!proc_poll(&p))
		kill(p.pid, SIGINT);
	CU_ASSERT_TRUE(proc_wait(&p, STOP_TIMEOUT_S));
	CU_ASSERT_TRUE(exited_with(&p, 0));
	CU_ASSERT_TRUE(file_contains(p.out_path, "pools back to start -> OK"));
	if (!exited_with(&p, 0))
		dump_output(&p);
	proc_cleanup(&p);
	runtime_dir_remove(prefix);
}

/* Every value flag given a valid value; --portmap 0:0 uses port 0 alone. */
static void
test_valid_options(void)
{
	char dir[64], json[128];
	struct proc p;
	char *js;

	if (!json_tmp(dir, sizeof(dir), json, sizeof(json))) {
		CU_FAIL("mkdtemp");
		return;
	}
	{
		const char *const args[] = { EAL_ARGS, NULL_PORTS, "--", "--mode", "pinned",
					     "--fwd", "mac", "--portmap", "0:0",
					     "--eth-dest", "0,02:00:00:00:00:99", "--rxd", "512",
					     "--txd", "256", "--burst", "64", "--stats", "0",
					     "--link-wait", "0.5", "--duration", "0.5",
					     "--json", json, NULL };

		run(&p, args, EAL_RUN_TIMEOUT_S);
	}
	CU_ASSERT_TRUE(exited_with(&p, 0));
	js = slurp(json);
	CU_ASSERT_PTR_NOT_NULL(strstr(js, "\"conserved\": true"));
	CU_ASSERT_PTR_NOT_NULL(strstr(js, "\"name\": \"net_null0\""));
	CU_ASSERT_PTR_NULL(strstr(js, "\"name\": \"net_null1\""));
	free(js);
	if (!exited_with(&p, 0))
		dump_output(&p);
	proc_cleanup(&p);
	json_tmp_remove(dir, json);
}

/* A JSON path that cannot be written: the run says so and exits 1. */
static void
test_json_unwritable(void)
{
	const char *const args[] = { EAL_ARGS, NULL_PORTS, "--", "--duration", "0.2",
				     "--json", "/nonexistent-dir/summary.json", NULL };
	struct proc p;

	run(&p, args, EAL_RUN_TIMEOUT_S);
	CU_ASSERT_TRUE(exited_with(&p, 1));
	CU_ASSERT_TRUE(file_contains(p.err_path, "brigade: --json: cannot write"));
	/* the summary itself still went to stdout */
	CU_ASSERT_TRUE(file_contains(p.out_path, "conservation:"));
	if (!exited_with(&p, 1))
		dump_output(&p);
	proc_cleanup(&p);
}

/* ---- c: bad command lines ---- */

/* Is s exactly one line, ending in a newline? */
static bool
one_line(const char *s)
{
	const char *nl = strchr(s, '\n');

	return nl != NULL && nl != s && nl[1] == '\0';
}

struct bad_case {
	const char *opts[6];           /* after "--", NULL-terminated */
	const char *prefix;            /* the stderr line starts with this */
	const char *mention;           /* and contains this, or NULL */
};

/* Options refused before the EAL starts: exit 2, one line on stderr,
 * nothing on stdout. */
static void
test_bad_options(void)
{
	static const struct bad_case cases[] = {
		{ { "--mode", "bogus" }, "brigade: --mode", "pinned" },
		{ { "--fwd", "bogus" }, "brigade: --fwd", "macswap" },
		{ { "--rxd", "0" }, "brigade: --rxd", "'0'" },
		{ { "--rxd", "abc" }, "brigade: --rxd", "'abc'" },
		{ { "--txd", "99999" }, "brigade: --txd", "'99999'" },
		{ { "--burst", "0" }, "brigade: --burst", NULL },
		{ { "--burst", "1000" }, "brigade: --burst", NULL },
		{ { "--stats", "-1" }, "brigade: --stats", "'-1'" },
		{ { "--duration", "x" }, "brigade: --duration", "'x'" },
		{ { "--portmap", "0-1" }, "brigade: --portmap", "0-1" },
		{ { "--portmap", "0:1,1:2" }, "brigade: --portmap", NULL },
		{ { "--eth-dest", "0,zz" }, "brigade: --eth-dest", "zz" },
		{ { "--eth-dest", "02:00:00:00:00:01" }, "brigade: --eth-dest", NULL },
		{ { "--json", "" }, "brigade: --json", NULL },
		{ { "--link-wait", "-1" }, "brigade: --link-wait", "'-1'" },
		{ { "--stats-format", "xml" }, "brigade: --stats-format", "'xml'" },
		{ { "--stats", "1", "--stats-format" }, "brigade: --stats-format", NULL },
		{ { "--nosuch" }, "brigade: --nosuch", NULL },
		{ { "--fwd", "io", "stray" }, "brigade: stray", NULL },
		{ { "--fwd", "mac", "--rxd" }, "brigade: --rxd", NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];
		const char *args[MAX_ARGS] = { EAL_ARGS, "--" };
		size_t n = 5;
		struct proc p;
		char *out, *err;
		bool ok;

		for (size_t k = 0; c->opts[k] != NULL; k++)
			args[n++] = c->opts[k];
		args[n] = NULL;
		run(&p, args, EAL_RUN_TIMEOUT_S);
		out = slurp(p.out_path);
		err = slurp(p.err_path);
		ok = exited_with(&p, 2) && !WIFSIGNALED(p.status) &&
		     strncmp(err, c->prefix, strlen(c->prefix)) == 0 &&
		     one_line(err) &&
		     (c->mention == NULL || strstr(err, c->mention) != NULL) &&
		     out[0] == '\0';
		CU_ASSERT_TRUE(ok);
		if (!ok)
			fprintf(stderr, "\ncase %s %s: status %#x, stderr '%s', stdout '%s'\n",
				c->opts[0], c->opts[1] ? c->opts[1] : "", p.status, err, out);
		free(out);
		free(err);
		proc_cleanup(&p);
	}
}

/* Refused once the EAL knows the ports: exit 2 and the brigade line. */
static void
test_bad_ports(void)
{
	static const struct bad_case cases[] = {
		{ { "--portmap", "0:7" }, "brigade: --portmap", "7" },
		{ { "--eth-dest", "5,02:00:00:00:00:01" }, "brigade: --eth-dest", "5" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];
		const char *args[MAX_ARGS] = { EAL_ARGS, NULL_PORTS, "--" };
		size_t n = 9;
		struct proc p;
		char *err, *line;
		bool ok;

		for (size_t k = 0; c->opts[k] != NULL; k++)
			args[n++] = c->opts[k];
		args[n] = NULL;
		run(&p, args, EAL_RUN_TIMEOUT_S);
		err = slurp(p.err_path);
		line = strstr(err, c->prefix);
		ok = exited_with(&p, 2) && !WIFSIGNALED(p.status) && line != NULL &&
		     (line == err || line[-1] == '\n') &&
		     (c->mention == NULL || strstr(line, c->mention) != NULL);
		CU_ASSERT_TRUE(ok);
		if (!ok) {
			fprintf(stderr, "\ncase %s %s: status %#x\n", c->opts[0], c->opts[1], p.status);
			dump_output(&p);
		}
		free(err);
		proc_cleanup(&p);
	}
}

/* No port at all: exit 2, told how to add one. */
static void
test_no_ports(void)
{
	const char *const args[] = { EAL_ARGS, "--", "--fwd", "io", NULL };
	struct proc p;

	run(&p, args, EAL_RUN_TIMEOUT_S);
	CU_ASSERT_TRUE(exited_with(&p, 2));
	CU_ASSERT_TRUE(file_contains(p.err_path, "brigade: no ports"));
	CU_ASSERT_FALSE(file_contains(p.out_path, "forwarding"));
	if (!exited_with(&p, 2))
		dump_output(&p);
	proc_cleanup(&p);
}

/* ---- d: --help ---- */

static void
check_help(const char *const args[])
{
	static const char *const flags[] = {
		"--mode", "--fwd", "--portmap", "--eth-dest", "--rxd", "--txd", "--burst",
		"--stats", "--duration", "--link-wait", "--json", "--help",
	};
	struct proc p;
	char *out, *err;

	run(&p, args, EAL_RUN_TIMEOUT_S);
	CU_ASSERT_TRUE(exited_with(&p, 0));
	out = slurp(p.out_path);
	err = slurp(p.err_path);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "Usage:"));
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		CU_ASSERT_PTR_NOT_NULL(strstr(out, flags[i]));
		if (strstr(out, flags[i]) == NULL)
			fprintf(stderr, "\n--help does not mention %s\n", flags[i]);
	}
	/* the registered models and forwarding functions are listed */
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "pinned"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "macswap"));
	/* answered before the EAL: no EAL output, nothing on stderr */
	CU_ASSERT_PTR_NULL(strstr(out, "EAL: "));
	CU_ASSERT_STRING_EQUAL(err, "");
	free(out);
	free(err);
	proc_cleanup(&p);
}

static void
test_help(void)
{
	const char *const after_dashes[] = { "--", "--help", NULL };
	const char *const with_others[] = { "--", "--fwd", "mac", "--help", NULL };
	/* an EAL option that does not exist: --help must not reach the EAL */
	const char *const bad_eal[] = { "--no-such-eal-flag", "-l0,1", "--", "--help", NULL };
	const char *const before_dashes[] = { "--help", NULL };

	check_help(after_dashes);
	check_help(with_others);
	check_help(bad_eal);
	check_help(before_dashes);
}

/* ---- e: no worker lcore ---- */

static void
test_no_worker(void)
{
	const char *const args[] = { "-l0", "--in-memory", "--no-pci", "--no-telemetry",
				     NULL_PORTS, "--", "--fwd", "io", NULL };
	struct proc p;
	char *out, *err;

	run(&p, args, EAL_RUN_TIMEOUT_S);
	CU_ASSERT_TRUE(p.exited && WIFEXITED(p.status) && WEXITSTATUS(p.status) != 0);
	CU_ASSERT_FALSE(WIFSIGNALED(p.status));
	out = slurp(p.out_path);
	err = slurp(p.err_path);
	CU_ASSERT_TRUE(strstr(err, "lcore") != NULL || strstr(out, "lcore") != NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "brigade: "));
	CU_ASSERT_PTR_NULL(strstr(out, "forwarding"));
	if (!(p.exited && WIFEXITED(p.status) && WEXITSTATUS(p.status) != 0))
		dump_output(&p);
	free(out);
	free(err);
	proc_cleanup(&p);
}

int
main(int argc, char **argv)
{
	static const struct bg_test_case tests[] = {
		{ "net_null, --fwd mac, SIGTERM: exit 0, summary, JSON", test_sigterm_mac },
		{ "net_null, --fwd io, SIGINT: exit 0, summary, JSON", test_sigint_io },
		{ "--duration 1 stops by itself", test_duration },
		{ "--stats --stats-format json: every line valid, documented keys", test_stats_json },
		{ "--stats text: scaled units, busy shares", test_stats_text },
		{ "--file-prefix run: its telemetry socket answers /brigade/info", test_watch },
		{ "every model forwards net_bgen's packets, each one measured", test_bgen_models },
		{ "every flag with a valid value; --portmap 0:0", test_valid_options },
		{ "--json unwritable: exit 1, says so", test_json_unwritable },
		{ "bad options: exit 2, one line naming the flag", test_bad_options },
		{ "ports that do not exist: exit 2", test_bad_ports },
		{ "no ports: exit 2", test_no_ports },
		{ "--help", test_help },
		{ "no worker lcore: clear error", test_no_worker },
	};

	if (argc < 2 || access(argv[1], X_OK) != 0) {
		fprintf(stderr, "usage: %s PATH-TO-BRIGADE\n", argv[0]);
		return 1;
	}
	brigade = argv[1];
	signal(SIGPIPE, SIG_IGN);
	return BG_TEST_RUN_SUITE("binary", tests);
}
