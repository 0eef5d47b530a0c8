/* SPDX-License-Identifier: MIT */
/*
 * udmabench.c - what the dmaengine model costs, measured side by side with
 * plain memcpy and (built with -Ddpdk=enabled) DPDK dmadev's dma_skeleton.
 *
 * One command, `udmabench`, runs everything, prints a table on stdout and
 * writes udmabench.csv and, when gnuplot is on PATH, udmabench.png (options:
 * --csv, --png, --rounds, --quick; --help). doc/performance.md explains the
 * method and the results; in short:
 *
 *  - Cells: copy sizes 64 B .. 1 MiB; hot buffers (a 256 KiB source and a
 *    256 KiB destination pool per worker, re-used) and cold ones (64 MiB
 *    pools walked linearly, so every copy touches lines not in any cache);
 *    batch 1 and 32; 1..N channels; modes "polled" (no DMA_PREP_INTERRUPT,
 *    progress from dmaengine_tx_status()) and "callback" (DMA_PREP_INTERRUPT
 *    and a callback_result on every descriptor).
 *  - Loop shape, identical for udma and DPDK: prep+submit (rte_dma_copy) up to
 *    the batch while fewer than 1024 copies (and at most 64 MiB) are
 *    outstanding, then issue_pending (rte_dma_submit), then reap what has
 *    completed (dmaengine_tx_status / callbacks / rte_dma_completed). One
 *    client thread, pinned to the first CPU for every system (as DPDK's EAL
 *    pins its main lcore; --no-pin leaves it free), drives all channels.
 *    When a pass makes no progress 64 times in a row the client calls
 *    sched_yield(), so that an engine thread the scheduler put on the
 *    client's CPU (or two engines on 2 CPUs) can run; the steady-state
 *    section spins instead.
 *  - Rounds: every round runs every cell once, A B A B ..., reversing the
 *    order on odd rounds; the table reports medians over rounds, and ratios
 *    are medians of per-round ratios. Right before each cell the core-to-core
 *    cache-line round trip is measured (two pinned threads ping-ponging one
 *    line), because on a VM small-op figures follow vCPU placement.
 *  - Latency: one 64 B copy at a time, submit -> callback (udma), submit ->
 *    tx_status says complete (udma polled), rte_dma_copy(SUBMIT) ->
 *    rte_dma_completed (DPDK); busy (back to back) and after 1 ms asleep.
 *  - Overheads: malloc family calls are counted by interposing malloc & co in
 *    this executable (all threads, the library's included); system calls by
 *    one perf counter per thread on the raw_syscalls:sys_enter tracepoint;
 *    idle CPU from the per-thread CPU clocks of the library's udma-* threads
 *    over 1 s with the client asleep.
 *
 * The library is used only through <udmaengine/dmaengine.h>.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/futex.h>
#include <linux/perf_event.h>
#include <malloc.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <udmaengine/dmaengine.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#ifdef HAVE_DPDK
/* dmadev is still "experimental" API in DPDK 22.11 */
#define ALLOW_EXPERIMENTAL_API 1
#include <rte_dmadev.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_version.h>
#endif

extern char **environ;

/* ------------------------------------------------------------ constants */

#define RING 1024u                         /* outstanding copies, at most */
#define MAX_BURST 32u
#define INFLIGHT_BYTES ((size_t)64 << 20)  /* and at most this many bytes */
#define HOT_POOL ((size_t)256 << 10)       /* per worker, source and destination */
#define HOT_SLOT ((size_t)1 << 20)         /* hot regions are this far apart */
#define COLD_POOL ((size_t)64 << 20)       /* shared by the workers of a cell */
#define MAX_CHANNELS 8
#define MAX_WORKERS MAX_CHANNELS
#define MAX_ROUNDS 64
#define MAX_CELLS 512
#define YIELD_AFTER 64                     /* fruitless passes before sched_yield */
#define LAT_SIZE 64

static const size_t sizes[] = { 64, 512, 4096, 65536, 1048576 };
static const char *const size_names[] = { "64B", "512B", "4KiB", "64KiB", "1MiB" };
#define NR_SIZES (sizeof(sizes) / sizeof(sizes[0]))

/* -------------------------------------------------------------- options */

static struct {
	const char *csv;
	const char *png;
	const char *only;
	int rounds;
	int channels;
	bool quick;
	bool no_dpdk;
	bool no_pin;
	double window_ms;
	double warm_ms;
	int lat_busy;
	int lat_idle;
	double steady_ms;
} opt = {
	.csv = "udmabench.csv",
	.png = "udmabench.png",
	.rounds = 5,
	.window_ms = 120,
	.warm_ms = 20,
	.lat_busy = 2000,
	.lat_idle = 150,
	.steady_ms = 300,
};

/* ------------------------------------------------ malloc interposition */

/*
 * Every call of the malloc family in the process (the library, its provider
 * plugin, liburcu and DPDK included) goes through these definitions, which
 * count and forward to glibc. Sanitizer builds bring their own allocator, so
 * there the counts are reported as unavailable.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NO_MALLOC_COUNT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
	__has_feature(memory_sanitizer)
#define NO_MALLOC_COUNT 1
#endif
#endif

static uint64_t n_allocs; /* malloc, calloc, realloc and the aligned forms */

#ifndef NO_MALLOC_COUNT
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t nmemb, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);
extern void __libc_free(void *ptr);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);

static inline void count_alloc(void)
{
	__atomic_fetch_add(&n_allocs, 1, __ATOMIC_RELAXED);
}

void *malloc(size_t size)
{
	count_alloc();
	return __libc_malloc(size);
}

void *calloc(size_t nmemb, size_t size)
{
	count_alloc();
	return __libc_calloc(nmemb, size);
}

void *realloc(void *ptr, size_t size)
{
	count_alloc();
	return __libc_realloc(ptr, size);
}

void free(void *ptr)
{
	__libc_free(ptr);
}

void *memalign(size_t alignment, size_t size)
{
	count_alloc();
	return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size)
{
	count_alloc();
	return __libc_memalign(alignment, size);
}

int posix_memalign(void **memptr, size_t alignment, size_t size)
{
	void *p;

	if (!alignment || (alignment & (alignment - 1)) || alignment % sizeof(void *))
		return EINVAL;
	count_alloc();
	p = __libc_memalign(alignment, size);
	if (!p)
		return ENOMEM;
	*memptr = p;
	return 0;
}

void *valloc(size_t size)
{
	count_alloc();
	return __libc_valloc(size);
}

void *pvalloc(size_t size)
{
	count_alloc();
	return __libc_pvalloc(size);
}
#endif /* !NO_MALLOC_COUNT */

static bool allocs_counted(void)
{
#ifdef NO_MALLOC_COUNT
	return false;
#else
	return true;
#endif
}

static uint64_t allocs_now(void)
{
	return __atomic_load_n(&n_allocs, __ATOMIC_RELAXED);
}

/* Non-cell sections run unless --only names something else. */
static bool section(const char *name)
{
	return !opt.only || strstr(opt.only, name);
}

/* -------------------------------------------------------------- helpers */

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static pid_t my_tid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* The CPU-time clock of thread @tid of this process (glibc's encoding). */
static clockid_t tid_clock(pid_t tid)
{
	return (clockid_t)(((unsigned int)~(unsigned int)tid << 3) | 6u);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Median of the non-NaN values of @v; NaN when there are none. */
static double median(const double *v, int n)
{
	double tmp[MAX_ROUNDS];
	int k = 0;

	for (int i = 0; i < n && k < MAX_ROUNDS; i++)
		if (!isnan(v[i]))
			tmp[k++] = v[i];
	if (!k)
		return NAN;
	qsort(tmp, (size_t)k, sizeof(tmp[0]), cmp_double);
	return k & 1 ? tmp[k / 2] : (tmp[k / 2 - 1] + tmp[k / 2]) / 2;
}

static double minmax(const double *v, int n, bool want_max)
{
	double r = NAN;

	for (int i = 0; i < n; i++)
		if (!isnan(v[i]) && (isnan(r) || (want_max ? v[i] > r : v[i] < r)))
			r = v[i];
	return r;
}

/* Percentile @p (0..1) of @n samples; sorts @v. */
static double percentile(uint64_t *v, int n, double p)
{
	int i;

	if (n <= 0)
		return NAN;
	qsort(v, (size_t)n, sizeof(v[0]), cmp_u64);
	i = (int)ceil(p * n) - 1;
	if (i < 0)
		i = 0;
	if (i >= n)
		i = n - 1;
	return (double)v[i];
}

static size_t round_up64(size_t x)
{
	return (x + 63) & ~(size_t)63;
}

/* --------------------------------------------------------- CPU affinity */

static cpu_set_t orig_cpus;
static int cpu_a = -1, cpu_b = -1; /* the first two CPUs we may run on */
static int ncpus;

static void cpus_init(void)
{
	CPU_ZERO(&orig_cpus);
	if (pthread_getaffinity_np(pthread_self(), sizeof(orig_cpus), &orig_cpus)) {
		for (int i = 0; i < 2; i++)
			CPU_SET(i, &orig_cpus);
	}
	ncpus = CPU_COUNT(&orig_cpus);
	for (int i = 0; i < CPU_SETSIZE; i++) {
		if (!CPU_ISSET(i, &orig_cpus))
			continue;
		if (cpu_a < 0)
			cpu_a = i;
		else if (cpu_b < 0)
			cpu_b = i;
	}
}

static void pin_self(int cpu)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	pthread_setaffinity_np(pthread_self(), sizeof(s), &s);
}

/* pthread_create with the CPUs the process started with (not the client's pin). */
static int thread_create_free(pthread_t *th, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	int ret;

	if (pthread_attr_init(&attr))
		return -1;
	pthread_attr_setaffinity_np(&attr, sizeof(orig_cpus), &orig_cpus);
	ret = pthread_create(th, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return ret;
}

/*
 * Machine-wide CPU use from /proc/stat, to tell how much of the machine other
 * processes used while we measured (and how much the hypervisor stole).
 */
struct cpustat {
	uint64_t busy, steal, total; /* jiffies */
};

static void cpustat_read(struct cpustat *c)
{
	unsigned long long v[10] = { 0 };
	FILE *f = fopen("/proc/stat", "re");

	memset(c, 0, sizeof(*c));
	if (!f)
		return;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
		   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]) >= 8) {
		c->busy = v[0] + v[1] + v[2] + v[5] + v[6];
		c->steal = v[7];
		c->total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
	}
	fclose(f);
}

/* ------------------------------------------------ syscall counting (perf) */

/*
 * One counting perf event per thread on the raw_syscalls:sys_enter
 * tracepoint. Threads are (re)scanned from /proc/self/task before each
 * measurement; they are classed as the client (this main thread), the
 * library ("udma-*" threads) or other (DPDK's threads).
 */
enum { TC_CLIENT, TC_LIB, TC_OTHER, TC_N };

#define MAX_TASKS 64

static struct {
	bool ok;
	long tp_id;
	pid_t main_tid;
	int n;
	struct {
		pid_t tid;
		int fd;
		int cls;
		bool seen;
	} t[MAX_TASKS];
	uint64_t calib; /* syscalls a read-out itself costs the client */
	char why[128];
} sc;

struct sc_snap {
	uint64_t v[TC_N];
};

static long read_long_file(const char *path)
{
	char buf[64];
	FILE *f = fopen(path, "re");
	long v = -1;

	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = strtol(buf, NULL, 10);
	fclose(f);
	return v;
}

static void task_comm(pid_t tid, char *buf, size_t n)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", (int)tid);
	buf[0] = '\0';
	f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(buf, (int)n, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

static int perf_open(pid_t tid)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_TRACEPOINT;
	a.size = sizeof(a);
	a.config = (uint64_t)sc.tp_id;
	return (int)syscall(SYS_perf_event_open, &a, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

static void sc_read(struct sc_snap *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < sc.n; i++) {
		uint64_t v = 0;

		if (sc.t[i].fd >= 0 && read(sc.t[i].fd, &v, sizeof(v)) == (ssize_t)sizeof(v))
			s->v[sc.t[i].cls] += v;
	}
}

static void sc_rescan(void)
{
	DIR *d;
	struct dirent *e;
	struct sc_snap a, b;
	int k = 0;

	for (int i = 0; i < sc.n; i++)
		sc.t[i].seen = false;
	d = opendir("/proc/self/task");
	if (!d)
		return;
	while ((e = readdir(d))) {
		pid_t tid = (pid_t)atoi(e->d_name);
		char comm[32];
		int i, fd;

		if (tid <= 0)
			continue;
		for (i = 0; i < sc.n; i++)
			if (sc.t[i].tid == tid)
				break;
		if (i < sc.n) {
			sc.t[i].seen = true;
			continue;
		}
		if (sc.n == MAX_TASKS)
			continue;
		fd = sc.ok ? perf_open(tid) : -1;
		if (sc.ok && fd < 0)
			continue; /* exited meanwhile */
		task_comm(tid, comm, sizeof(comm));
		sc.t[sc.n].tid = tid;
		sc.t[sc.n].fd = fd;
		sc.t[sc.n].cls = tid == sc.main_tid ? TC_CLIENT :
				 !strncmp(comm, "udma-", 5) ? TC_LIB : TC_OTHER;
		sc.t[sc.n].seen = true;
		sc.n++;
	}
	closedir(d);
	for (int i = 0; i < sc.n; i++) {
		if (sc.t[i].seen)
			sc.t[k++] = sc.t[i];
		else if (sc.t[i].fd >= 0)
			close(sc.t[i].fd);
	}
	sc.n = k;
	/* what two back-to-back read-outs see: the read(2)s themselves */
	sc_read(&a);
	sc_read(&b);
	sc.calib = b.v[TC_CLIENT] - a.v[TC_CLIENT];
}

/* CPU time of the tracked threads by class (thread CPU clocks: syscalls). */
static void task_cpu_read(uint64_t v[TC_N])
{
	memset(v, 0, sizeof(uint64_t) * TC_N);
	for (int i = 0; i < sc.n; i++)
		v[sc.t[i].cls] += clock_ns(tid_clock(sc.t[i].tid));
}

static void sc_init(void)
{
	static const char *const ids[] = {
		"/sys/kernel/tracing/events/raw_syscalls/sys_enter/id",
		"/sys/kernel/debug/tracing/events/raw_syscalls/sys_enter/id",
	};
	int fd;

	sc.main_tid = my_tid();
	sc.tp_id = -1;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]) && sc.tp_id < 0; i++)
		sc.tp_id = read_long_file(ids[i]);
	if (sc.tp_id < 0) {
		snprintf(sc.why, sizeof(sc.why), "tracefs not mounted (no raw_syscalls:sys_enter id)");
	} else if ((fd = perf_open(sc.main_tid)) < 0) {
		snprintf(sc.why, sizeof(sc.why), "perf_event_open: %s", strerror(errno));
	} else {
		close(fd);
		sc.ok = true;
	}
	sc_rescan();
}

/* ---------------------------------------------------------------- pools */

struct pool {
	char *src;
	char *dst;
	size_t len;
};

static struct pool hot, cold;

static char *big_alloc(size_t len)
{
	void *p = NULL;

	if (posix_memalign(&p, 2u << 20, len))
		return NULL;
	memset(p, 0x5a, len); /* fault every page in now */
	return p;
}

/* Worker @w of @nw: where its copies of @size bytes live in the pool. */
static void region(bool is_cold, int w, int nw, size_t size, size_t *start, size_t *len)
{
	if (!is_cold) {
		*start = (size_t)w * HOT_SLOT;
		*len = size > HOT_POOL ? size : HOT_POOL;
	} else {
		*len = (COLD_POOL / (size_t)nw) & ~(size_t)63;
		*start = (size_t)w * *len;
	}
}

static unsigned int inflight_cap(size_t size)
{
	size_t cap = INFLIGHT_BYTES / size;

	if (cap > RING)
		cap = RING;
	if (cap < MAX_BURST)
		cap = MAX_BURST;
	return (unsigned int)cap;
}

/* ------------------------------------------------------- measurements */

struct meas {
	uint64_t ops;
	uint64_t sub_ns;  /* steady state: client time submitting (prep..issue) */
	uint64_t reap_ns; /* steady state: client time reaping completions */
	uint64_t ns;
	uint64_t allocs;
	uint64_t cpu_ns;
	uint64_t errors;
	uint64_t sc[TC_N];
	bool sc_ok;
	uint64_t tcpu[TC_N]; /* CPU time by thread class */
};

struct snap {
	uint64_t t;
	uint64_t ops;
	uint64_t allocs;
	uint64_t cpu;
	uint64_t tcpu[TC_N];
	struct sc_snap sc;
};

/* Process CPU time is read outside the syscall window (it is a syscall). */
static void snap_begin(struct snap *s, uint64_t t, uint64_t ops)
{
	s->cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	task_cpu_read(s->tcpu);
	s->allocs = allocs_now();
	if (sc.ok)
		sc_read(&s->sc);
	s->t = t;
	s->ops = ops;
}

static void snap_end(struct snap *s, uint64_t t, uint64_t ops)
{
	s->t = t;
	s->ops = ops;
	if (sc.ok)
		sc_read(&s->sc);
	s->allocs = allocs_now();
	task_cpu_read(s->tcpu);
	s->cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

static void snap_diff(const struct snap *a, const struct snap *b, struct meas *m)
{
	m->ops = b->ops - a->ops;
	m->ns = b->t - a->t;
	m->allocs = b->allocs - a->allocs;
	m->cpu_ns = b->cpu - a->cpu;
	m->sc_ok = sc.ok;
	for (int i = 0; i < TC_N; i++) {
		m->sc[i] = b->sc.v[i] - a->sc.v[i];
		m->tcpu[i] = b->tcpu[i] - a->tcpu[i];
	}
	if (sc.ok)
		m->sc[TC_CLIENT] = m->sc[TC_CLIENT] > sc.calib ? m->sc[TC_CLIENT] - sc.calib : 0;
}

/* Client policy when a pass over the channels made no progress. */
static void client_idle(unsigned int progress, unsigned int *idle, bool spin_only)
{
	if (progress) {
		*idle = 0;
		return;
	}
	if (!spin_only && ++*idle >= YIELD_AFTER) {
		*idle = 0;
		sched_yield();
		return;
	}
	cpu_relax();
}

/* ----------------------------------------------------------- udmaengine */

struct uchan {
	struct dma_chan *chan;
	dma_addr_t hot_src, hot_dst, cold_src, cold_dst; /* bus addresses of the pools */
	/* client side */
	dma_addr_t src, dst;
	size_t size, step, off, len;
	uint64_t submitted, reaped, errors, prep_fail;
	uint32_t head, tail;
	dma_cookie_t cookies[RING];
	/* completion side: written by the channel's completion thread */
	uint64_t done __attribute__((aligned(64)));
	uint64_t cb_errors;
	uint64_t lat_t1;
	int lat_flag;
	char pad[64];
} __attribute__((aligned(64)));

static struct uchan uch[MAX_CHANNELS];
static int n_uch;

static void cb_count(void *param, const struct dmaengine_result *res)
{
	struct uchan *c = param;

	if (res && res->result != DMA_TRANS_NOERROR)
		__atomic_fetch_add(&c->cb_errors, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&c->done, c->done + 1, __ATOMIC_RELEASE);
}

static void cb_lat(void *param, const struct dmaengine_result *res)
{
	struct uchan *c = param;

	c->lat_t1 = now_ns();
	if (res && res->result != DMA_TRANS_NOERROR)
		__atomic_fetch_add(&c->cb_errors, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&c->lat_flag, 1, __ATOMIC_RELEASE);
}

/* In-tree runs: use the providers next to this binary unless told otherwise. */
static void default_plugin_path(void)
{
	char exe[4096], dir[4200];
	ssize_t n;
	char *slash;
	struct stat st;

	if (getenv("UDMA_PLUGIN_PATH"))
		return;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return;
	*slash = '\0';
	snprintf(dir, sizeof(dir), "%s/../../providers", exe);
	if (!stat(dir, &st) && S_ISDIR(st.st_mode) && strstr(exe, "/examples/udmabench"))
		setenv("UDMA_PLUGIN_PATH", dir, 0);
}

static int udma_setup(int want)
{
	dma_cap_mask_t mask;

	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	for (n_uch = 0; n_uch < want; n_uch++) {
		struct uchan *c = &uch[n_uch];
		struct device *dev;

		c->chan = dma_request_channel(mask, NULL, NULL);
		if (!c->chan)
			break;
		dev = dmaengine_get_dma_device(c->chan);
		c->hot_src = dma_map_single(dev, hot.src, hot.len, DMA_TO_DEVICE);
		c->hot_dst = dma_map_single(dev, hot.dst, hot.len, DMA_FROM_DEVICE);
		c->cold_src = dma_map_single(dev, cold.src, cold.len, DMA_TO_DEVICE);
		c->cold_dst = dma_map_single(dev, cold.dst, cold.len, DMA_FROM_DEVICE);
		if (dma_mapping_error(dev, c->hot_src) || dma_mapping_error(dev, c->hot_dst) ||
		    dma_mapping_error(dev, c->cold_src) || dma_mapping_error(dev, c->cold_dst)) {
			fprintf(stderr, "udmabench: cannot map the buffers for %s\n",
				dma_chan_name(c->chan));
			dma_release_channel(c->chan);
			c->chan = NULL;
			break;
		}
	}
	return n_uch;
}

static void udma_teardown(void)
{
	for (int i = 0; i < n_uch; i++) {
		struct uchan *c = &uch[i];
		struct device *dev = dmaengine_get_dma_device(c->chan);

		dmaengine_terminate_sync(c->chan);
		dma_unmap_single(dev, c->hot_src, hot.len, DMA_TO_DEVICE);
		dma_unmap_single(dev, c->hot_dst, hot.len, DMA_FROM_DEVICE);
		dma_unmap_single(dev, c->cold_src, cold.len, DMA_TO_DEVICE);
		dma_unmap_single(dev, c->cold_dst, cold.len, DMA_FROM_DEVICE);
		dma_release_channel(c->chan);
	}
	n_uch = 0;
}

static void uchan_prepare(struct uchan *c, bool is_cold, int w, int nw, size_t size)
{
	size_t start, len;

	region(is_cold, w, nw, size, &start, &len);
	c->src = (is_cold ? c->cold_src : c->hot_src) + start;
	c->dst = (is_cold ? c->cold_dst : c->hot_dst) + start;
	c->size = size;
	c->step = round_up64(size);
	c->len = len;
	c->off = 0;
	c->submitted = c->reaped = c->errors = c->prep_fail = 0;
	c->head = c->tail = 0;
	__atomic_store_n(&c->done, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&c->cb_errors, 0, __ATOMIC_RELAXED);
}

/* prep + submit up to @batch copies, then issue_pending. */
static unsigned int udma_submit(struct uchan *c, unsigned int batch, unsigned long flags,
				bool cb, unsigned int cap)
{
	unsigned int n = 0;
	uint64_t done = cb ? __atomic_load_n(&c->done, __ATOMIC_ACQUIRE) : c->reaped;

	while (n < batch && c->submitted - done < cap) {
		struct dma_async_tx_descriptor *tx;
		dma_cookie_t cookie;

		tx = dmaengine_prep_dma_memcpy(c->chan, c->dst + c->off, c->src + c->off,
					       c->size, flags);
		if (!tx) {
			c->prep_fail++;
			break;
		}
		if (cb) {
			tx->callback_result = cb_count;
			tx->callback_param = c;
		}
		cookie = dmaengine_submit(tx);
		if (dma_submit_error(cookie)) {
			c->errors++;
			break;
		}
		if (!cb)
			c->cookies[c->tail++ % RING] = cookie;
		c->submitted++;
		c->off += c->step;
		if (c->off + c->size > c->len)
			c->off = 0;
		n++;
	}
	if (n)
		dma_async_issue_pending(c->chan);
	return n;
}

/* Polled: one tx_status on the oldest cookie; its state says how far we got. */
static unsigned int udma_reap_polled(struct uchan *c)
{
	struct dma_tx_state st;
	enum dma_status s;
	unsigned int n = 0;

	if (c->head == c->tail)
		return 0;
	s = dmaengine_tx_status(c->chan, c->cookies[c->head % RING], &st);
	if (s == DMA_IN_PROGRESS || s == DMA_PAUSED)
		return 0;
	if (s != DMA_COMPLETE)
		c->errors++;
	do {
		c->head++;
		n++;
	} while (c->head != c->tail &&
		 dma_async_is_complete(c->cookies[c->head % RING], st.last, st.used) ==
		 DMA_COMPLETE);
	c->reaped += n;
	return n;
}

static unsigned int udma_reap_cb(struct uchan *c)
{
	uint64_t done = __atomic_load_n(&c->done, __ATOMIC_ACQUIRE);
	unsigned int n = (unsigned int)(done - c->reaped);

	c->reaped = done;
	return n;
}

static uint64_t udma_reaped(int nw)
{
	uint64_t s = 0;

	for (int w = 0; w < nw; w++)
		s += uch[w].reaped;
	return s;
}

static void run_udma(bool cb, size_t size, bool is_cold, unsigned int batch, int nw,
		     bool spin_only, uint64_t warm_ns, uint64_t win_ns, struct meas *m)
{
	unsigned long flags = DMA_CTRL_ACK | (cb ? DMA_PREP_INTERRUPT : 0);
	unsigned int cap = inflight_cap(size), idle = 0;
	uint64_t t0, t_warm, t_end, deadline;
	struct snap a, b;
	bool measuring = false;

	memset(m, 0, sizeof(*m));
	if (spin_only)
		nw = 1;
	for (int w = 0; w < nw; w++)
		uchan_prepare(&uch[w], is_cold, w, nw, size);
	sc_rescan();
	t0 = now_ns();
	t_warm = t0 + warm_ns;
	t_end = t_warm + win_ns;
	for (;;) {
		unsigned int progress = 0;
		uint64_t t;

		if (spin_only && measuring) {
			/* steady state: where the client's time goes (3 clock reads a pass) */
			uint64_t ts = now_ns(), tm;

			progress += udma_submit(&uch[0], batch, flags, cb, cap);
			tm = now_ns();
			progress += cb ? udma_reap_cb(&uch[0]) : udma_reap_polled(&uch[0]);
			t = now_ns();
			m->sub_ns += tm - ts;
			m->reap_ns += t - tm;
		} else {
			for (int w = 0; w < nw; w++) {
				progress += udma_submit(&uch[w], batch, flags, cb, cap);
				progress += cb ? udma_reap_cb(&uch[w]) : udma_reap_polled(&uch[w]);
			}
			t = now_ns();
		}
		if (!measuring) {
			if (t >= t_warm) {
				snap_begin(&a, t, udma_reaped(nw));
				measuring = true;
			}
		} else if (t >= t_end) {
			snap_end(&b, t, udma_reaped(nw));
			break;
		}
		client_idle(progress, &idle, spin_only);
	}
	{
		uint64_t sub = m->sub_ns, reap = m->reap_ns;

		snap_diff(&a, &b, m);
		m->sub_ns = sub;
		m->reap_ns = reap;
	}

	/* drain */
	deadline = now_ns() + 10000000000ull;
	for (;;) {
		unsigned int progress = 0;
		bool busy = false;

		for (int w = 0; w < nw; w++) {
			progress += cb ? udma_reap_cb(&uch[w]) : udma_reap_polled(&uch[w]);
			busy |= uch[w].reaped != uch[w].submitted;
		}
		if (!busy)
			break;
		if (now_ns() > deadline) {
			fprintf(stderr, "udmabench: udma drain timed out; terminating\n");
			for (int w = 0; w < nw; w++) {
				dmaengine_terminate_sync(uch[w].chan);
				m->errors += uch[w].submitted - uch[w].reaped;
			}
			break;
		}
		client_idle(progress, &idle, false);
	}
	for (int w = 0; w < nw; w++)
		m->errors += uch[w].errors + __atomic_load_n(&uch[w].cb_errors, __ATOMIC_RELAXED);
}

/* One 64 B copy at a time; @idle: sleep 1 ms before each. */
static void lat_udma(bool cb, bool idle, int n, uint64_t *out, uint64_t *errors)
{
	struct uchan *c = &uch[0];

	uchan_prepare(c, false, 0, 1, LAT_SIZE);
	for (int i = 0; i < n; i++) {
		struct dma_async_tx_descriptor *tx;
		dma_cookie_t cookie;
		uint64_t t0, t1;

		if (idle)
			sleep_ns(1000000);
		__atomic_store_n(&c->lat_flag, 0, __ATOMIC_RELAXED);
		t0 = now_ns();
		tx = dmaengine_prep_dma_memcpy(c->chan, c->dst, c->src, LAT_SIZE,
					       DMA_CTRL_ACK | (cb ? DMA_PREP_INTERRUPT : 0));
		if (!tx) {
			(*errors)++;
			out[i] = 0;
			continue;
		}
		if (cb) {
			tx->callback_result = cb_lat;
			tx->callback_param = c;
		}
		cookie = dmaengine_submit(tx);
		dma_async_issue_pending(c->chan);
		if (cb) {
			while (!__atomic_load_n(&c->lat_flag, __ATOMIC_ACQUIRE))
				cpu_relax();
			t1 = c->lat_t1;
		} else {
			enum dma_status s;

			while ((s = dmaengine_tx_status(c->chan, cookie, NULL)) == DMA_IN_PROGRESS)
				cpu_relax();
			t1 = now_ns();
			if (s != DMA_COMPLETE)
				(*errors)++;
		}
		out[i] = t1 - t0;
	}
	*errors += __atomic_load_n(&c->cb_errors, __ATOMIC_RELAXED);
}

/* Sum of the CPU time of the library's threads (comm "udma-*"). */
static uint64_t udma_threads_cpu_ns(int *nthreads)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	uint64_t sum = 0;

	*nthreads = 0;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		pid_t tid = (pid_t)atoi(e->d_name);
		char comm[32];

		if (tid <= 0)
			continue;
		task_comm(tid, comm, sizeof(comm));
		if (strncmp(comm, "udma-", 5))
			continue;
		sum += clock_ns(tid_clock(tid));
		(*nthreads)++;
	}
	closedir(d);
	return sum;
}

/* ----------------------------------------------------------------- DPDK */

#ifdef HAVE_DPDK
static int16_t dpdk_dev = -1;
static char dpdk_version[64];

static int dpdk_setup(void)
{
	static char a0[] = "udmabench", a1[] = "--no-huge", a2[] = "--no-pci",
		    a3[] = "--no-shconf", a4[] = "--no-telemetry", a5[] = "-l",
		    a6[] = "0-1", a7[] = "--vdev=dma_skeleton0,lcore=1";
	char *argv[] = { a0, a1, a2, a3, a4, a5, a6, a7, NULL };
	struct rte_dma_conf conf;
	struct rte_dma_vchan_conf vconf;
	cpu_set_t mine;
	int ret, dev;

	if (!CPU_ISSET(0, &orig_cpus) || !CPU_ISSET(1, &orig_cpus)) {
		fprintf(stderr, "udmabench: DPDK needs CPUs 0 and 1 (-l 0-1); DPDK rows skipped\n");
		return -1;
	}
	snprintf(dpdk_version, sizeof(dpdk_version), "%s", rte_version());
	rte_openlog_stream(stderr);
	rte_log_set_global_level(RTE_LOG_WARNING);
	pthread_getaffinity_np(pthread_self(), sizeof(mine), &mine);
	ret = rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv);
	/* EAL pins this thread to lcore 0; the client runs unpinned, as udma's. */
	pthread_setaffinity_np(pthread_self(), sizeof(mine), &mine);
	if (ret < 0) {
		fprintf(stderr, "udmabench: rte_eal_init failed (%s); DPDK rows skipped\n",
			rte_strerror(rte_errno));
		return -1;
	}
	dev = rte_dma_get_dev_id_by_name("dma_skeleton0");
	if (dev < 0) {
		fprintf(stderr, "udmabench: no dma_skeleton0 dmadev; DPDK rows skipped\n");
		return -1;
	}
	memset(&conf, 0, sizeof(conf));
	conf.nb_vchans = 1;
	memset(&vconf, 0, sizeof(vconf));
	vconf.direction = RTE_DMA_DIR_MEM_TO_MEM;
	vconf.nb_desc = RING;
	if (rte_dma_configure((int16_t)dev, &conf) || rte_dma_vchan_setup((int16_t)dev, 0, &vconf)) {
		fprintf(stderr, "udmabench: cannot configure dma_skeleton0; DPDK rows skipped\n");
		return -1;
	}
	dpdk_dev = (int16_t)dev;
	return 0;
}

static void dpdk_teardown(void)
{
	if (dpdk_dev >= 0) {
		rte_dma_close(dpdk_dev);
		dpdk_dev = -1;
	}
	rte_eal_cleanup();
}

/*
 * The skeleton's worker busy-polls while started, so it is started only
 * around DPDK measurements (stop() joins it) and never competes with udma.
 */
static int dpdk_start(void)
{
	int ret = rte_dma_start(dpdk_dev);

	if (ret)
		fprintf(stderr, "udmabench: rte_dma_start: %d\n", ret);
	return ret;
}

static void dpdk_stop(void)
{
	rte_dma_stop(dpdk_dev);
}

static void run_dpdk(size_t size, bool is_cold, unsigned int batch, bool spin_only,
		     uint64_t warm_ns, uint64_t win_ns, struct meas *m)
{
	struct pool *p = is_cold ? &cold : &hot;
	unsigned int cap = inflight_cap(size), idle = 0;
	uint64_t submitted = 0, completed = 0, t0, t_warm, t_end, deadline;
	size_t start, len, step = round_up64(size), off = 0;
	rte_iova_t src, dst;
	struct snap a, b;
	bool measuring = false;

	memset(m, 0, sizeof(*m));
	region(is_cold, 0, 1, size, &start, &len);
	src = (rte_iova_t)(uintptr_t)(p->src + start);
	dst = (rte_iova_t)(uintptr_t)(p->dst + start);
	if (dpdk_start()) {
		m->errors = 1;
		return;
	}
	sc_rescan();
	t0 = now_ns();
	t_warm = t0 + warm_ns;
	t_end = t_warm + win_ns;
	for (;;) {
		unsigned int n = 0;
		uint16_t last = 0, k;
		bool err = false;
		uint64_t t, ts = 0, tm = 0;
		bool timed = spin_only && measuring;

		if (timed)
			ts = now_ns();
		while (n < batch && submitted - completed < cap) {
			if (rte_dma_copy(dpdk_dev, 0, src + off, dst + off, (uint32_t)size, 0) < 0)
				break;
			submitted++;
			off += step;
			if (off + size > len)
				off = 0;
			n++;
		}
		if (n)
			rte_dma_submit(dpdk_dev, 0);
		if (timed)
			tm = now_ns();
		k = rte_dma_completed(dpdk_dev, 0, (uint16_t)cap, &last, &err);
		completed += k;
		if (err)
			m->errors++;
		t = now_ns();
		if (timed) {
			m->sub_ns += tm - ts;
			m->reap_ns += t - tm;
		}
		if (!measuring) {
			if (t >= t_warm) {
				snap_begin(&a, t, completed);
				measuring = true;
			}
		} else if (t >= t_end) {
			snap_end(&b, t, completed);
			break;
		}
		client_idle(n + k, &idle, spin_only);
	}
	{
		uint64_t sub = m->sub_ns, reap = m->reap_ns, errs = m->errors;

		snap_diff(&a, &b, m);
		m->sub_ns = sub;
		m->reap_ns = reap;
		m->errors = errs;
	}
	deadline = now_ns() + 10000000000ull;
	while (completed != submitted && now_ns() < deadline) {
		uint16_t last = 0, k;
		bool err = false;

		k = rte_dma_completed(dpdk_dev, 0, (uint16_t)cap, &last, &err);
		completed += k;
		client_idle(k, &idle, false);
	}
	if (completed != submitted)
		m->errors += submitted - completed;
	dpdk_stop();
}

static void lat_dpdk(bool idle, int n, uint64_t *out, uint64_t *errors)
{
	rte_iova_t src = (rte_iova_t)(uintptr_t)hot.src;
	rte_iova_t dst = (rte_iova_t)(uintptr_t)hot.dst;

	if (dpdk_start()) {
		*errors += (uint64_t)n;
		memset(out, 0, sizeof(*out) * (size_t)n);
		return;
	}
	for (int i = 0; i < n; i++) {
		uint16_t last = 0;
		bool err = false;
		uint64_t t0;

		if (idle)
			sleep_ns(1000000);
		t0 = now_ns();
		if (rte_dma_copy(dpdk_dev, 0, src, dst, LAT_SIZE, RTE_DMA_OP_FLAG_SUBMIT) < 0) {
			(*errors)++;
			out[i] = 0;
			continue;
		}
		while (rte_dma_completed(dpdk_dev, 0, 1, &last, &err) == 0)
			cpu_relax();
		out[i] = now_ns() - t0;
		if (err)
			(*errors)++;
	}
	dpdk_stop();
}
#endif /* HAVE_DPDK */

static bool have_dpdk(void)
{
#ifdef HAVE_DPDK
	return dpdk_dev >= 0;
#else
	return false;
#endif
}

/* --------------------------------------------------------------- memcpy */

/*
 * A reference for large cold copies: the same copy with non-temporal
 * (streaming) stores, which skip reading the destination lines into the cache
 * first. glibc's memcpy uses them only above a threshold far larger than
 * 1 MiB. Shown as "memcpy nt-1thr" rows for copies of 64 KiB and more.
 */
#if defined(__SSE2__)
#define HAVE_NT_COPY 1
static void copy_nt(char *dst, const char *src, size_t n)
{
	size_t i = 0;

	if (((uintptr_t)dst & 15) == 0) {
		for (; i + 64 <= n; i += 64) {
			__m128i a = _mm_loadu_si128((const __m128i *)(const void *)(src + i));
			__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(src + i + 16));
			__m128i c = _mm_loadu_si128((const __m128i *)(const void *)(src + i + 32));
			__m128i d = _mm_loadu_si128((const __m128i *)(const void *)(src + i + 48));

			_mm_stream_si128((__m128i *)(void *)(dst + i), a);
			_mm_stream_si128((__m128i *)(void *)(dst + i + 16), b);
			_mm_stream_si128((__m128i *)(void *)(dst + i + 32), c);
			_mm_stream_si128((__m128i *)(void *)(dst + i + 48), d);
		}
		_mm_sfence();
	}
	if (i < n)
		memcpy(dst + i, src + i, n - i);
}
#endif

struct mc_worker {
	pthread_t thread;
	int cpu;
	bool nt;
	char *src, *dst;
	size_t size, len;
	uint64_t t_warm, t_end;
	const int *go;
	uint64_t ops, ns;
} __attribute__((aligned(64)));

static void mc_loop(struct mc_worker *w)
{
	size_t step = round_up64(w->size), off = 0;
	uint64_t chunk = w->size >= 65536 ? 1 : 65536 / w->size;
	uint64_t ops = 0, ops0 = 0, t0 = 0;
	bool measuring = false;

	for (;;) {
		uint64_t t;

		for (uint64_t k = 0; k < chunk; k++) {
#ifdef HAVE_NT_COPY
			if (w->nt)
				copy_nt(w->dst + off, w->src + off, w->size);
			else
#endif
				memcpy(w->dst + off, w->src + off, w->size);
			off += step;
			if (off + w->size > w->len)
				off = 0;
		}
		ops += chunk;
		t = now_ns();
		if (!measuring) {
			if (t >= w->t_warm) {
				ops0 = ops;
				t0 = t;
				measuring = true;
			}
		} else if (t >= w->t_end) {
			w->ops = ops - ops0;
			w->ns = t - t0;
			return;
		}
	}
}

static void *mc_thread(void *arg)
{
	struct mc_worker *w = arg;

	if (w->cpu >= 0)
		pin_self(w->cpu);
	while (!__atomic_load_n(w->go, __ATOMIC_ACQUIRE))
		cpu_relax();
	mc_loop(w);
	return NULL;
}

static void run_memcpy(size_t size, bool is_cold, int nthreads, bool nt, uint64_t warm_ns,
		       uint64_t win_ns, struct meas *m)
{
	struct pool *p = is_cold ? &cold : &hot;
	struct mc_worker w[MAX_WORKERS];
	int go = 0, started = 0;
	uint64_t t0;
	double rate = 0;

	memset(m, 0, sizeof(*m));
	memset(w, 0, sizeof(w));
	for (int i = 0; i < nthreads; i++) {
		size_t start, len;

		region(is_cold, i, nthreads, size, &start, &len);
		w[i].src = p->src + start;
		w[i].dst = p->dst + start;
		w[i].size = size;
		w[i].len = len;
		w[i].go = &go;
		w[i].nt = nt;
		w[i].cpu = opt.no_pin ? -1 : i == 0 ? cpu_a : cpu_b;
	}
	if (nthreads == 1) {
		t0 = now_ns();
		w[0].t_warm = t0 + warm_ns;
		w[0].t_end = w[0].t_warm + win_ns;
		mc_loop(&w[0]);
	} else {
		for (int i = 0; i < nthreads; i++) {
			if (thread_create_free(&w[i].thread, mc_thread, &w[i]))
				break;
			started++;
		}
		t0 = now_ns() + 1000000; /* let the threads get going */
		for (int i = 0; i < started; i++) {
			w[i].t_warm = t0 + warm_ns;
			w[i].t_end = w[i].t_warm + win_ns;
		}
		__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
		for (int i = 0; i < started; i++)
			pthread_join(w[i].thread, NULL);
		if (started != nthreads)
			m->errors = 1;
		nthreads = started;
	}
	/* sum of the threads' rates, expressed as ops in a common window */
	for (int i = 0; i < nthreads; i++)
		if (w[i].ns)
			rate += (double)w[i].ops / (double)w[i].ns;
	m->ns = win_ns;
	m->ops = (uint64_t)llround(rate * (double)win_ns);
}

/* ------------------------------------------------- core-to-core round trip */

struct pingpong {
	uint64_t line __attribute__((aligned(64)));
	int ready __attribute__((aligned(64)));
	int iters;
	int failed;
	uint64_t ns;
};

static void *pp_b(void *arg)
{
	struct pingpong *pp = arg;
	uint64_t deadline = now_ns() + 500000000ull;

	pin_self(cpu_b);
	__atomic_store_n(&pp->ready, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < pp->iters && !__atomic_load_n(&pp->failed, __ATOMIC_RELAXED); i++) {
		uint64_t want = 2 * (uint64_t)i + 1;
		unsigned int spins = 0;

		while (__atomic_load_n(&pp->line, __ATOMIC_ACQUIRE) != want) {
			cpu_relax();
			if (!(++spins & 4095) && now_ns() > deadline) {
				__atomic_store_n(&pp->failed, 1, __ATOMIC_RELAXED);
				return NULL;
			}
		}
		__atomic_store_n(&pp->line, want + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void *pp_a(void *arg)
{
	struct pingpong *pp = arg;
	uint64_t deadline = now_ns() + 500000000ull, t0;

	pin_self(cpu_a);
	while (!__atomic_load_n(&pp->ready, __ATOMIC_ACQUIRE))
		cpu_relax();
	t0 = now_ns();
	for (int i = 0; i < pp->iters && !__atomic_load_n(&pp->failed, __ATOMIC_RELAXED); i++) {
		uint64_t want = 2 * (uint64_t)i + 2;
		unsigned int spins = 0;

		__atomic_store_n(&pp->line, want - 1, __ATOMIC_RELEASE);
		while (__atomic_load_n(&pp->line, __ATOMIC_ACQUIRE) != want) {
			cpu_relax();
			if (!(++spins & 4095) && now_ns() > deadline) {
				__atomic_store_n(&pp->failed, 1, __ATOMIC_RELAXED);
				return NULL;
			}
		}
	}
	pp->ns = now_ns() - t0;
	return NULL;
}

/* Round trip of one cache line between the first two CPUs (ns), or NaN. */
static double c2c_round_trip(void)
{
	struct pingpong *pp;
	pthread_t a, b;
	double r;

	if (cpu_b < 0)
		return NAN;
	if (posix_memalign((void **)&pp, 64, sizeof(*pp)))
		return NAN;
	memset(pp, 0, sizeof(*pp));
	pp->iters = 4000;
	if (thread_create_free(&b, pp_b, pp)) {
		free(pp);
		return NAN;
	}
	if (thread_create_free(&a, pp_a, pp)) {
		__atomic_store_n(&pp->failed, 1, __ATOMIC_RELAXED);
		pthread_join(b, NULL);
		free(pp);
		return NAN;
	}
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	r = pp->failed ? NAN : (double)pp->ns / pp->iters;
	free(pp);
	return r;
}

/* ---------------------------------------------------------------- cells */

enum sysk { SYS_UDMA, SYS_DPDK, SYS_MEMCPY };
enum modek { M_POLLED, M_CALLBACK, M_CPU, M_NT };

struct cell {
	enum sysk sys;
	enum modek mode;
	int size_idx;
	bool cold;
	unsigned int batch;
	int width;       /* channels (udma), 1 (DPDK) or threads (memcpy) */
	int ref_dpdk;    /* comparable DPDK cell, or -1 */
	int ref_mc1;     /* comparable one-thread memcpy cell, or -1 */
	bool selected;
	double mops[MAX_ROUNDS];
	double gbps[MAX_ROUNDS];
	double c2c[MAX_ROUNDS];
	double allocs[MAX_ROUNDS];   /* per op */
	double sys_lib[MAX_ROUNDS];  /* per op, library threads */
	double sys_cli[MAX_ROUNDS];  /* per op, client thread (includes its yields) */
	double sys_oth[MAX_ROUNDS];  /* per op, other threads */
	double cpu_ns[MAX_ROUNDS];   /* process CPU time per op */
	uint64_t errors;
};

static struct cell cells[MAX_CELLS];
static int n_cells;
static int widths[MAX_CHANNELS];
static int n_widths;

static const char *sys_name(enum sysk s)
{
	return s == SYS_UDMA ? "udma" : s == SYS_DPDK ? "dpdk-skel" : "memcpy";
}

static const char *mode_name(const struct cell *c)
{
	if (c->sys == SYS_MEMCPY)
		return c->mode == M_NT ? "nt-1thr" : c->width == 1 ? "1-thread" : "2-thread";
	return c->mode == M_POLLED ? "polled" : "callback";
}

static void cell_label(const struct cell *c, char *buf, size_t n)
{
	if (c->sys == SYS_MEMCPY)
		snprintf(buf, n, "%s %s %s %s", sys_name(c->sys), mode_name(c),
			 size_names[c->size_idx], c->cold ? "cold" : "hot");
	else
		snprintf(buf, n, "%s %s %s %s b%u %dch", sys_name(c->sys), mode_name(c),
			 size_names[c->size_idx], c->cold ? "cold" : "hot", c->batch, c->width);
}

static int add_cell(enum sysk sys, enum modek mode, int size_idx, bool is_cold,
		    unsigned int batch, int width)
{
	struct cell *c = &cells[n_cells];
	char label[96];

	memset(c, 0, sizeof(*c));
	c->sys = sys;
	c->mode = mode;
	c->size_idx = size_idx;
	c->cold = is_cold;
	c->batch = batch;
	c->width = width;
	c->ref_dpdk = c->ref_mc1 = -1;
	cell_label(c, label, sizeof(label));
	c->selected = !opt.only || strstr(label, opt.only);
	for (int r = 0; r < MAX_ROUNDS; r++) {
		c->mops[r] = c->gbps[r] = c->c2c[r] = NAN;
		c->allocs[r] = c->sys_lib[r] = c->sys_cli[r] = c->sys_oth[r] = c->cpu_ns[r] = NAN;
	}
	return n_cells++;
}

static int find_cell(enum sysk sys, enum modek mode, int size_idx, bool is_cold,
		     unsigned int batch, int width)
{
	for (int i = 0; i < n_cells; i++) {
		const struct cell *c = &cells[i];

		if (c->sys == sys && c->mode == mode && c->size_idx == size_idx &&
		    c->cold == is_cold && c->batch == batch && c->width == width)
			return i;
	}
	return -1;
}

static void build_cells(void)
{
	static const unsigned int batches[] = { 1, MAX_BURST };

	for (int s = 0; s < (int)NR_SIZES; s++) {
		for (int cl = 0; cl < 2; cl++) {
			bool is_cold = cl;

			add_cell(SYS_MEMCPY, M_CPU, s, is_cold, 1, 1);

			for (int b = 0; b < 2; b++) {
				for (int wi = 0; wi < n_widths; wi++) {
					add_cell(SYS_UDMA, M_POLLED, s, is_cold, batches[b], widths[wi]);
					add_cell(SYS_UDMA, M_CALLBACK, s, is_cold, batches[b], widths[wi]);
				}
				if (have_dpdk())
					add_cell(SYS_DPDK, M_POLLED, s, is_cold, batches[b], 1);
			}
			if (cpu_b >= 0)
				add_cell(SYS_MEMCPY, M_CPU, s, is_cold, 1, 2);
#ifdef HAVE_NT_COPY
			if (sizes[s] >= 65536)
				add_cell(SYS_MEMCPY, M_NT, s, is_cold, 1, 1);
#endif
		}
	}
	for (int i = 0; i < n_cells; i++) {
		struct cell *c = &cells[i];

		if (c->sys != SYS_MEMCPY || c->width != 1 || c->mode == M_NT)
			c->ref_mc1 = find_cell(SYS_MEMCPY, M_CPU, c->size_idx, c->cold, 1, 1);
		if (c->sys == SYS_UDMA)
			c->ref_dpdk = find_cell(SYS_DPDK, M_POLLED, c->size_idx, c->cold, c->batch, 1);
	}
}

static void record(struct cell *c, int rnd, const struct meas *m, double c2c)
{
	double ops = (double)(m->ops ? m->ops : 1);

	c->errors += m->errors;
	if (!m->ops || !m->ns)
		return;
	c->mops[rnd] = (double)m->ops * 1e3 / (double)m->ns;
	c->gbps[rnd] = (double)m->ops * (double)sizes[c->size_idx] / (double)m->ns;
	c->c2c[rnd] = c2c;
	if (c->sys == SYS_MEMCPY)
		return;
	c->cpu_ns[rnd] = (double)m->cpu_ns / ops;
	if (allocs_counted())
		c->allocs[rnd] = (double)m->allocs / ops;
	if (m->sc_ok) {
		c->sys_lib[rnd] = (double)m->sc[TC_LIB] / ops;
		c->sys_cli[rnd] = (double)m->sc[TC_CLIENT] / ops;
		c->sys_oth[rnd] = (double)m->sc[TC_OTHER] / ops;
	}
}

static void run_cell(struct cell *c, int rnd, double c2c)
{
	uint64_t warm = (uint64_t)(opt.warm_ms * 1e6), win = (uint64_t)(opt.window_ms * 1e6);
	size_t size = sizes[c->size_idx];
	struct meas m;

	switch (c->sys) {
	case SYS_UDMA:
		run_udma(c->mode == M_CALLBACK, size, c->cold, c->batch, c->width, false,
			 warm, win, &m);
		break;
	case SYS_DPDK:
#ifdef HAVE_DPDK
		run_dpdk(size, c->cold, c->batch, false, warm, win, &m);
#else
		memset(&m, 0, sizeof(m));
#endif
		break;
	case SYS_MEMCPY:
	default:
		run_memcpy(size, c->cold, c->width, c->mode == M_NT, warm, win, &m);
		break;
	}
	record(c, rnd, &m, c2c);
}

/* Per-round ratio of a cell's ops/s to its reference cell's, median over rounds. */
static double ratio_to(const struct cell *c, int ref)
{
	double v[MAX_ROUNDS];

	if (ref < 0)
		return NAN;
	for (int r = 0; r < opt.rounds; r++)
		v[r] = c->mops[r] / cells[ref].mops[r];
	return median(v, opt.rounds);
}

/* ------------------------------------------------------------- latency */

enum { L_UDMA_CB, L_UDMA_POLLED, L_DPDK, L_FUTEX, L_N };
static const char *const lat_names[L_N] = { "udma callback", "udma polled", "dpdk-skel",
					    "futex wake" };

/*
 * Reference floor: how long waking a thread that sleeps in FUTEX_WAIT takes
 * here (store, FUTEX_WAKE, until the woken thread reads the clock). Any
 * engine that sleeps on a futex when idle pays at least this after 1 ms idle.
 */
struct fwake {
	int32_t word __attribute__((aligned(64)));
	int stop;
	uint64_t t1 __attribute__((aligned(64)));
	int ack;
};

static void *fw_thread(void *arg)
{
	struct fwake *fw = arg;

	for (;;) {
		while (!__atomic_load_n(&fw->word, __ATOMIC_ACQUIRE))
			syscall(SYS_futex, &fw->word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
		if (__atomic_load_n(&fw->stop, __ATOMIC_ACQUIRE))
			break;
		fw->t1 = now_ns();
		__atomic_store_n(&fw->word, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&fw->ack, 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void lat_futex(bool idle, int n, uint64_t *out, uint64_t *errors)
{
	struct fwake *fw;
	pthread_t th;

	if (posix_memalign((void **)&fw, 64, sizeof(*fw))) {
		(*errors)++;
		memset(out, 0, sizeof(*out) * (size_t)n);
		return;
	}
	memset(fw, 0, sizeof(*fw));
	if (thread_create_free(&th, fw_thread, fw)) {
		(*errors)++;
		memset(out, 0, sizeof(*out) * (size_t)n);
		free(fw);
		return;
	}
	sleep_ns(1000000);
	for (int i = 0; i < n; i++) {
		uint64_t t0;

		if (idle)
			sleep_ns(1000000);
		__atomic_store_n(&fw->ack, 0, __ATOMIC_RELAXED);
		t0 = now_ns();
		__atomic_store_n(&fw->word, 1, __ATOMIC_RELEASE);
		syscall(SYS_futex, &fw->word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
		while (!__atomic_load_n(&fw->ack, __ATOMIC_ACQUIRE))
			cpu_relax();
		out[i] = fw->t1 - t0;
	}
	__atomic_store_n(&fw->stop, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&fw->word, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &fw->word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	pthread_join(th, NULL);
	free(fw);
}

struct latcell {
	double p50[MAX_ROUNDS], p99[MAX_ROUNDS];
	uint64_t errors;
	bool valid;
};

static struct latcell lat[L_N][2]; /* [system][0 busy, 1 after 1 ms idle] */

static void run_latency_round(int rnd)
{
	int maxn = opt.lat_busy > opt.lat_idle ? opt.lat_busy : opt.lat_idle;
	uint64_t *s = calloc((size_t)maxn, sizeof(*s));

	if (!s)
		return;
	for (int idle = 0; idle < 2; idle++) {
		int n = idle ? opt.lat_idle : opt.lat_busy;

		for (int k = 0; k < L_N; k++) {
			struct latcell *lc = &lat[k][idle];

			if (k == L_DPDK) {
				if (!have_dpdk())
					continue;
#ifdef HAVE_DPDK
				lat_dpdk(idle, n, s, &lc->errors);
#endif
			} else if (k == L_FUTEX) {
				lat_futex(idle, n, s, &lc->errors);
			} else {
				lat_udma(k == L_UDMA_CB, idle, n, s, &lc->errors);
			}
			lc->valid = true;
			lc->p50[rnd] = percentile(s, n, 0.50);
			lc->p99[rnd] = percentile(s, n, 0.99);
		}
	}
	free(s);
}

static double lat_ratio(int k, int idle, bool p99)
{
	double v[MAX_ROUNDS];

	if (!lat[k][idle].valid || !lat[L_DPDK][idle].valid)
		return NAN;
	for (int r = 0; r < opt.rounds; r++)
		v[r] = p99 ? lat[k][idle].p99[r] / lat[L_DPDK][idle].p99[r]
			   : lat[k][idle].p50[r] / lat[L_DPDK][idle].p50[r];
	return median(v, opt.rounds);
}

/* ------------------------------------------------------------- idle CPU */

static struct {
	bool valid;
	double lib_pct;   /* udma-* threads, % of one core */
	double proc_pct;  /* whole process with the client asleep */
	int nthreads;
	bool dpdk_valid;
	double dpdk_pct;  /* process minus udma threads, skeleton started */
} idle_cpu;

static void measure_idle_cpu(void)
{
	uint64_t t0, t1, l0, l1, p0, p1;
	struct meas m;
	int nt;

	/* a little work on every channel first: the engine has just gone idle */
	run_udma(false, 4096, false, MAX_BURST, n_uch, false, 0, 2000000, &m);
	l0 = udma_threads_cpu_ns(&nt);
	p0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	t0 = now_ns();
	sleep_ns(1000000000ull);
	t1 = now_ns();
	l1 = udma_threads_cpu_ns(&nt);
	p1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	idle_cpu.valid = true;
	idle_cpu.nthreads = nt;
	idle_cpu.lib_pct = 100.0 * (double)(l1 - l0) / (double)(t1 - t0);
	idle_cpu.proc_pct = 100.0 * (double)(p1 - p0) / (double)(t1 - t0);
#ifdef HAVE_DPDK
	if (have_dpdk() && !dpdk_start()) {
		uint16_t last;
		bool err;

		rte_dma_copy(dpdk_dev, 0, (rte_iova_t)(uintptr_t)hot.src,
			     (rte_iova_t)(uintptr_t)hot.dst, 64, RTE_DMA_OP_FLAG_SUBMIT);
		while (rte_dma_completed(dpdk_dev, 0, 1, &last, &err) == 0)
			cpu_relax();
		l0 = udma_threads_cpu_ns(&nt);
		p0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
		t0 = now_ns();
		sleep_ns(1000000000ull);
		t1 = now_ns();
		l1 = udma_threads_cpu_ns(&nt);
		p1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
		dpdk_stop();
		idle_cpu.dpdk_valid = true;
		idle_cpu.dpdk_pct = 100.0 * ((double)(p1 - p0) - (double)(l1 - l0)) /
				    (double)(t1 - t0);
	}
#endif
}

/* ------------------------------------------------------ client call cost */

/*
 * What the client-side calls cost with no engine running concurrently (so no
 * lock or cache-line contention): the floor of the per-copy client cost.
 */
static struct {
	bool valid;
	double prep_submit; /* ns per prep + submit pair, nothing issued */
	double issue_empty; /* ns per dma_async_issue_pending with nothing submitted */
	double tx_status;   /* ns per dmaengine_tx_status of a completed cookie */
} apicost;

static void measure_api_cost(void)
{
	struct uchan *c = &uch[0];
	double v[5];
	dma_cookie_t cookie = 0;
	enum { N = 512, M = 20000 };

	uchan_prepare(c, false, 0, 1, 64);
	for (int r = 0; r < 5; r++) {
		uint64_t t0 = now_ns();

		for (int i = 0; i < N; i++) {
			struct dma_async_tx_descriptor *tx;

			tx = dmaengine_prep_dma_memcpy(c->chan, c->dst + (size_t)i * 64,
						       c->src + (size_t)i * 64, 64, DMA_CTRL_ACK);
			if (!tx || dma_submit_error(dmaengine_submit(tx)))
				return;
		}
		v[r] = (double)(now_ns() - t0) / N;
		dmaengine_terminate_sync(c->chan); /* gives the descriptors back */
	}
	apicost.prep_submit = median(v, 5);
	for (int r = 0; r < 5; r++) {
		uint64_t t0 = now_ns();

		for (int i = 0; i < M; i++)
			dma_async_issue_pending(c->chan);
		v[r] = (double)(now_ns() - t0) / M;
	}
	apicost.issue_empty = median(v, 5);
	{
		struct dma_async_tx_descriptor *tx;

		tx = dmaengine_prep_dma_memcpy(c->chan, c->dst, c->src, 64, DMA_CTRL_ACK);
		if (tx)
			cookie = dmaengine_submit(tx);
		dma_async_issue_pending(c->chan);
		if (cookie <= 0 || dma_sync_wait(c->chan, cookie) != DMA_COMPLETE)
			return;
	}
	for (int r = 0; r < 5; r++) {
		uint64_t t0 = now_ns();

		for (int i = 0; i < M; i++)
			if (dmaengine_tx_status(c->chan, cookie, NULL) != DMA_COMPLETE)
				return;
		v[r] = (double)(now_ns() - t0) / M;
	}
	apicost.tx_status = median(v, 5);
	apicost.valid = true;
}

/* ------------------------------------------------------- steady state */

enum { ST_POLLED32, ST_CB32, ST_POLLED1, ST_CB1, ST_DPDK32, ST_N };
static const char *const steady_names[ST_N] = {
	"udma polled   b32", "udma callback b32", "udma polled   b1",
	"udma callback b1", "dpdk-skel     b32",
};

static struct {
	bool valid;
	struct meas m;
	double c2c;
} steady[ST_N];

static void measure_steady(void)
{
	uint64_t warm = 30000000ull, win = (uint64_t)(opt.steady_ms * 1e6);

	for (int k = 0; k < ST_N; k++) {
		steady[k].c2c = c2c_round_trip();
		if (k == ST_DPDK32) {
#ifdef HAVE_DPDK
			if (!have_dpdk())
				continue;
			run_dpdk(64, false, MAX_BURST, true, warm, win, &steady[k].m);
			steady[k].valid = true;
#endif
			continue;
		}
		run_udma(k == ST_CB32 || k == ST_CB1, 64, false,
			 k == ST_POLLED1 || k == ST_CB1 ? 1 : MAX_BURST, 1, true, warm, win,
			 &steady[k].m);
		steady[k].valid = true;
	}
}

/* -------------------------------------------------------------- output */

/* @v with @dec decimals and @suffix, or "-" when NaN. */
static void fmt_num(char *buf, size_t n, double v, int dec, const char *suffix)
{
	if (isnan(v))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.*f%s", dec, v, suffix);
}

static double cell_sys_total(const struct cell *c, int r)
{
	return c->sys_lib[r] + c->sys_cli[r] + c->sys_oth[r];
}


static void print_table(FILE *f)
{
	fprintf(f, "\n%-9s %-8s %5s %4s %5s %2s %9s %8s %7s %8s %6s %8s %8s %8s %8s\n",
		"system", "mode", "size", "buf", "batch", "ch", "Mops/s", "GB/s", "x-dpdk",
		"x-memcpy", "c2c-ns", "alloc/op", "lib-sc", "cli-sc", "cpu-ns");
	for (int i = 0; i < n_cells; i++) {
		const struct cell *c = &cells[i];
		char b[9][32], batch[8], ch[8];

		if (!c->selected)
			continue;
		fmt_num(b[0], sizeof(b[0]), median(c->mops, opt.rounds), 3, "");
		fmt_num(b[1], sizeof(b[1]), median(c->gbps, opt.rounds), 2, "");
		fmt_num(b[2], sizeof(b[2]), ratio_to(c, c->ref_dpdk), 2, "");
		fmt_num(b[3], sizeof(b[3]), ratio_to(c, c->ref_mc1), 2, "");
		fmt_num(b[4], sizeof(b[4]), median(c->c2c, opt.rounds), 0, "");
		fmt_num(b[5], sizeof(b[5]), median(c->allocs, opt.rounds), 4, "");
		fmt_num(b[6], sizeof(b[6]), median(c->sys_lib, opt.rounds), 4, "");
		fmt_num(b[7], sizeof(b[7]), median(c->sys_cli, opt.rounds), 4, "");
		fmt_num(b[8], sizeof(b[8]), median(c->cpu_ns, opt.rounds), 0, "");
		if (c->sys == SYS_MEMCPY) {
			snprintf(batch, sizeof(batch), "-");
			snprintf(ch, sizeof(ch), "-");
		} else {
			snprintf(batch, sizeof(batch), "%u", c->batch);
			snprintf(ch, sizeof(ch), "%d", c->width);
		}
		fprintf(f, "%-9s %-8s %5s %4s %5s %2s %9s %8s %7s %8s %6s %8s %8s %8s %8s%s\n",
			sys_name(c->sys), mode_name(c), size_names[c->size_idx],
			c->cold ? "cold" : "hot", batch, ch, b[0], b[1], b[2], b[3], b[4], b[5],
			b[6], b[7], b[8], c->errors ? "  ERRORS" : "");
	}
	fprintf(f, "x-dpdk, x-memcpy: medians of per-round ops/s ratios to DPDK (same size, "
		"buffers, batch) and to memcpy 1-thread; nt-1thr: a copy loop with non-temporal stores; c2c-ns: core-to-core cache-line round "
		"trip; alloc/op: malloc-family calls per copy; lib-sc / cli-sc: syscalls per copy "
		"made by the udma-* threads / by the client thread (its sched_yield()s included); "
		"cpu-ns: process CPU time per copy\n");
}

struct target {
	const char *metric;
	const char *goal;
	double value;
	bool lower_is_better;
	double limit;
	int dec;
	const char *suffix;
	char note[48];
};

#define N_TARGETS 7
static struct target targets[N_TARGETS];

static double cell_ratio(enum modek mode, int size_idx, bool is_cold, unsigned int batch,
			 int width, bool vs_dpdk)
{
	int i = find_cell(SYS_UDMA, mode, size_idx, is_cold, batch, width);

	if (i < 0 || !cells[i].selected)
		return NAN;
	return ratio_to(&cells[i], vs_dpdk ? cells[i].ref_dpdk : cells[i].ref_mc1);
}

static void compute_targets(void)
{
	int s64 = 0, s1m = (int)NR_SIZES - 1;
	struct target *t = targets;
	double worst_alloc = NAN, worst_sys = NAN;

	t[0] = (struct target){ "64 B hot, polled, batch 32, 1 ch / DPDK skeleton ops/s",
				">= 1.5x", cell_ratio(M_POLLED, s64, false, MAX_BURST, 1, true),
				false, 1.5, 3, "x", "" };
	t[1] = (struct target){ "64 B hot, callback every desc, batch 32, 1 ch / DPDK ops/s",
				">= 1.0x", cell_ratio(M_CALLBACK, s64, false, MAX_BURST, 1, true),
				false, 1.0, 3, "x", "" };
	t[2] = (struct target){ "1 MiB cold, polled, batch 32, 1 ch / memcpy 1 thread GB/s",
				">= 0.95x", cell_ratio(M_POLLED, s1m, true, MAX_BURST, 1, false),
				false, 0.95, 3, "x", "" };
	t[3] = (struct target){ "1 MiB cold, polled, batch 32, 2 ch / memcpy 1 thread GB/s",
				">= 1.6x", cell_ratio(M_POLLED, s1m, true, MAX_BURST, 2, false),
				false, 1.6, 3, "x", "" };
	t[4] = (struct target){ "latency after 1 ms idle (callback p50) / DPDK's p50",
				"<= 0.5x", lat_ratio(L_UDMA_CB, 1, false), true, 0.5, 3, "x", "" };
	t[5] = (struct target){ "idle engine CPU (udma-* threads over 1 s)", "< 1 %",
				idle_cpu.valid ? idle_cpu.lib_pct : NAN, true, 1.0, 3, " %", "" };
	for (int k = ST_POLLED32; k <= ST_CB1; k++) {
		const struct meas *m = &steady[k].m;
		double ops = (double)(m->ops ? m->ops : 1);

		if (!steady[k].valid)
			continue;
		if (allocs_counted())
			worst_alloc = isnan(worst_alloc) ? (double)m->allocs / ops
				      : fmax(worst_alloc, (double)m->allocs / ops);
		if (m->sc_ok) {
			double s = (double)(m->sc[TC_LIB] + m->sc[TC_CLIENT]) / ops;

			worst_sys = isnan(worst_sys) ? s : fmax(worst_sys, s);
		}
	}
	t[6] = (struct target){ "malloc / syscalls per op while busy (worst steady case)",
				"0 / 0", NAN, true, 0, 0, "", "" };
	if (!isnan(worst_alloc) && !isnan(worst_sys)) {
		/* "0" means: rounds to 0 at 4 decimals (< 1 per 20000 operations) */
		t[6].value = (worst_alloc < 0.00005 && worst_sys < 0.00005) ? 0 : 1;
		snprintf(t[6].note, sizeof(t[6].note), "%.4f / %.4f", worst_alloc, worst_sys);
	} else {
		snprintf(t[6].note, sizeof(t[6].note), "%s / %s",
			 isnan(worst_alloc) ? "n/a" : "counted",
			 isnan(worst_sys) ? "n/a" : "counted");
	}
	if (!t[6].note[0])
		snprintf(t[6].note, sizeof(t[6].note), "n/a");
}

static const char *target_result(const struct target *t)
{
	bool ok;

	if (isnan(t->value))
		return "n/a";
	if (t == &targets[6])
		ok = t->value == 0;
	else if (!t->lower_is_better)
		ok = t->value >= t->limit;
	else if (t->goal[0] == '<' && t->goal[1] == '=')
		ok = t->value <= t->limit;
	else
		ok = t->value < t->limit;
	return ok ? "met" : "NOT MET";
}

static void target_value(const struct target *t, char *buf, size_t n)
{
	if (t == &targets[6])
		snprintf(buf, n, "%s", t->note);
	else
		fmt_num(buf, n, t->value, t->dec, t->suffix);
}

static void print_extras(FILE *f)
{
	fprintf(f, "\nLatency, one %d B copy at a time (median over rounds of per-round percentiles)\n",
		LAT_SIZE);
	fprintf(f, "%-14s %12s %12s %14s %14s %10s %10s\n", "system", "busy p50 ns", "busy p99 ns",
		"idle1ms p50 ns", "idle1ms p99 ns", "x-dpdk p50", "x-dpdk idle");
	for (int k = 0; k < L_N; k++) {
		char b[6][32];

		if (!lat[k][0].valid)
			continue;
		fmt_num(b[0], sizeof(b[0]), median(lat[k][0].p50, opt.rounds), 0, "");
		fmt_num(b[1], sizeof(b[1]), median(lat[k][0].p99, opt.rounds), 0, "");
		fmt_num(b[2], sizeof(b[2]), median(lat[k][1].p50, opt.rounds), 0, "");
		fmt_num(b[3], sizeof(b[3]), median(lat[k][1].p99, opt.rounds), 0, "");
		fmt_num(b[4], sizeof(b[4]), k == L_DPDK ? NAN : lat_ratio(k, 0, false), 2, "");
		fmt_num(b[5], sizeof(b[5]), k == L_DPDK ? NAN : lat_ratio(k, 1, false), 2, "");

		fprintf(f, "%-14s %12s %12s %14s %14s %10s %10s%s\n", lat_names[k], b[0], b[1],
			b[2], b[3], b[4], b[5],
			lat[k][0].errors + lat[k][1].errors ? "  ERRORS" : "");
	}
	fprintf(f, "futex wake: a bare thread woken from FUTEX_WAIT (no library), the floor "
		"for any engine that sleeps on a futex when idle\n");
	if (idle_cpu.valid) {
		fprintf(f, "\nIdle CPU over 1 s, client asleep: udma-* threads (%d) %.3f %% of a core, "
			"whole process %.3f %%", idle_cpu.nthreads, idle_cpu.lib_pct,
			idle_cpu.proc_pct);
		if (idle_cpu.dpdk_valid)
			fprintf(f, "; DPDK skeleton started and idle: %.3f %%", idle_cpu.dpdk_pct);
		fprintf(f, "\n");
	}
	if (apicost.valid)
		fprintf(f, "\nClient calls with no engine running concurrently (uncontended): "
			"prep+submit %.1f ns, issue_pending (nothing submitted) %.1f ns, "
			"tx_status %.1f ns\n", apicost.prep_submit, apicost.issue_empty,
			apicost.tx_status);
	if (steady[ST_POLLED32].valid) {
		fprintf(f, "\nSteady state, 64 B hot, 1 channel, client spinning (no yields), %.0f ms:\n",
			opt.steady_ms);
		for (int k = 0; k < ST_N; k++) {
			const struct meas *m = &steady[k].m;
			double ops = (double)(m->ops ? m->ops : 1);
			char al[48], sy[192];

			if (!steady[k].valid)
				continue;
			if (allocs_counted())
				snprintf(al, sizeof(al), "%" PRIu64 " (%.4f/op)", m->allocs,
					 (double)m->allocs / ops);
			else
				snprintf(al, sizeof(al), "n/a (sanitizer build)");
			if (m->sc_ok)
				snprintf(sy, sizeof(sy), "lib %" PRIu64 ", client %" PRIu64
					 ", other %" PRIu64 " (%.4f/op)", m->sc[TC_LIB],
					 m->sc[TC_CLIENT], m->sc[TC_OTHER],
					 (double)(m->sc[TC_LIB] + m->sc[TC_CLIENT] + m->sc[TC_OTHER]) / ops);
			else
				snprintf(sy, sizeof(sy), "n/a (%s)", sc.why);
			fprintf(f, "  %s: %7.3f Mops/s over %" PRIu64 " ops (c2c %.0f ns)\n"
				"      client ns/op: submit %.1f, reap %.1f; CPU ns/op: client %.1f, "
				"%s %.1f (busy %.0f %% of the window)\n"
				"      mallocs %s; syscalls %s%s\n",
				steady_names[k], m->ns ? (double)m->ops * 1e3 / (double)m->ns : 0,
				m->ops, steady[k].c2c, (double)m->sub_ns / ops,
				(double)m->reap_ns / ops, (double)m->tcpu[TC_CLIENT] / ops,
				k == ST_DPDK32 ? "DPDK worker" : "engine thread",
				(double)m->tcpu[k == ST_DPDK32 ? TC_OTHER : TC_LIB] / ops,
				m->ns ? 100.0 * (double)m->tcpu[k == ST_DPDK32 ? TC_OTHER : TC_LIB] /
				(double)m->ns : 0, al, sy, m->errors ? "  ERRORS" : "");
		}
	}
}

static void print_targets(FILE *f)
{
	fprintf(f, "\nTargets (issue 5 item 4; ratios are medians of per-round ratios, %d rounds)\n",
		opt.rounds);
	fprintf(f, "%-62s %-9s %-16s %s\n", "metric", "target", "measured", "result");
	for (int i = 0; i < N_TARGETS; i++) {
		char v[64];

		target_value(&targets[i], v, sizeof(v));
		fprintf(f, "%-62s %-9s %-16s %s\n", targets[i].metric, targets[i].goal, v,
			target_result(&targets[i]));
	}
}

static void csv_num(FILE *f, double v, int dec)
{
	fputc(',', f);
	if (!isnan(v))
		fprintf(f, "%.*f", dec, v);
}

static int write_csv(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "udmabench: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "kind,system,mode,size_bytes,buffers,batch,channels,mops,mops_min,mops_max,"
		"gbps,ratio_dpdk,ratio_memcpy1,c2c_ns,allocs_per_op,syscalls_per_op,"
		"lib_syscalls_per_op,client_syscalls_per_op,cpu_ns_per_op,errors,"
		"p50_ns,p99_ns,value,target,result\n");
	for (int i = 0; i < n_cells; i++) {
		const struct cell *c = &cells[i];
		double tot[MAX_ROUNDS];

		if (!c->selected)
			continue;
		for (int r = 0; r < opt.rounds; r++)
			tot[r] = cell_sys_total(c, r);
		fprintf(f, "throughput,%s,%s,%zu,%s,%u,%d", sys_name(c->sys), mode_name(c),
			sizes[c->size_idx], c->cold ? "cold" : "hot",
			c->sys == SYS_MEMCPY ? 0 : c->batch, c->width);
		csv_num(f, median(c->mops, opt.rounds), 4);
		csv_num(f, minmax(c->mops, opt.rounds, false), 4);
		csv_num(f, minmax(c->mops, opt.rounds, true), 4);
		csv_num(f, median(c->gbps, opt.rounds), 4);
		csv_num(f, ratio_to(c, c->ref_dpdk), 4);
		csv_num(f, ratio_to(c, c->ref_mc1), 4);
		csv_num(f, median(c->c2c, opt.rounds), 1);
		csv_num(f, median(c->allocs, opt.rounds), 6);
		csv_num(f, median(tot, opt.rounds), 6);
		csv_num(f, median(c->sys_lib, opt.rounds), 6);
		csv_num(f, median(c->sys_cli, opt.rounds), 6);
		csv_num(f, median(c->cpu_ns, opt.rounds), 1);
		fprintf(f, ",%" PRIu64 ",,,,,\n", c->errors);
	}
	for (int k = 0; k < L_N; k++) {
		for (int idle = 0; idle < 2; idle++) {
			if (!lat[k][idle].valid)
				continue;
			fprintf(f, "%s,%s,%s,%d,hot,1,1,,,,,", idle ? "latency_idle_1ms" : "latency_busy",
				k == L_DPDK ? "dpdk-skel" : k == L_FUTEX ? "futex-wake" : "udma",
				k == L_UDMA_CB ? "callback" : k == L_FUTEX ? "floor" : "polled",
				LAT_SIZE);
			csv_num(f, k == L_DPDK ? NAN : lat_ratio(k, idle, false), 4);
			fprintf(f, ",,,,,,,,%" PRIu64, lat[k][idle].errors);
			csv_num(f, median(lat[k][idle].p50, opt.rounds), 0);
			csv_num(f, median(lat[k][idle].p99, opt.rounds), 0);
			fprintf(f, ",,,\n");
		}
	}
	if (idle_cpu.valid) {
		fprintf(f, "idle_cpu_pct,udma,threads,,,,,,,,,,,,,,,,,,,,%.4f,,\n", idle_cpu.lib_pct);
		fprintf(f, "idle_cpu_pct,udma,process,,,,,,,,,,,,,,,,,,,,%.4f,,\n", idle_cpu.proc_pct);
		if (idle_cpu.dpdk_valid)
			fprintf(f, "idle_cpu_pct,dpdk-skel,process,,,,,,,,,,,,,,,,,,,,%.4f,,\n",
				idle_cpu.dpdk_pct);
	}
	for (int k = 0; k < ST_N; k++) {
		const struct meas *m = &steady[k].m;
		double ops = (double)(m->ops ? m->ops : 1);

		if (!steady[k].valid)
			continue;
		fprintf(f, "steady,%s,%s,64,hot,%d,1,%.4f,,,,,,,", k == ST_DPDK32 ? "dpdk-skel" : "udma",
			k == ST_CB32 || k == ST_CB1 ? "callback" : "polled",
			k == ST_POLLED1 || k == ST_CB1 ? 1 : 32,
			m->ns ? (double)m->ops * 1e3 / (double)m->ns : 0);
		if (allocs_counted())
			fprintf(f, "%.6f", (double)m->allocs / ops);
		fputc(',', f);
		if (m->sc_ok)
			fprintf(f, "%.6f,%.6f,%.6f",
				(double)(m->sc[TC_LIB] + m->sc[TC_CLIENT] + m->sc[TC_OTHER]) / ops,
				(double)m->sc[TC_LIB] / ops, (double)m->sc[TC_CLIENT] / ops);
		else
			fprintf(f, ",,");
		fprintf(f, ",%.1f,%" PRIu64 ",,,,,\n", (double)m->cpu_ns / ops, m->errors);
	}
	for (int i = 0; i < N_TARGETS; i++) {
		char v[64];

		target_value(&targets[i], v, sizeof(v));
		fprintf(f, "target,\"%s\",,,,,,,,,,,,,,,,,,,,,\"%s\",\"%s\",%s\n", targets[i].metric, v,
			targets[i].goal, target_result(&targets[i]));
	}
	if (fclose(f)) {
		fprintf(stderr, "udmabench: error writing %s\n", path);
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- plot */

static bool find_in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];

	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		if (n && n < sizeof(buf) - strlen(prog) - 2) {
			memcpy(buf, path, n);
			snprintf(buf + n, sizeof(buf) - n, "/%s", prog);
			if (!access(buf, X_OK))
				return true;
		}
		path += n;
		if (*path == ':')
			path++;
	}
	return false;
}

struct series {
	enum sysk sys;
	enum modek mode;
	int width;
	const char *title;
	const char *style;
};

static int plot(const char *png)
{
	static const struct series ser[] = {
		{ SYS_UDMA, M_POLLED, 1, "udma polled, 1 ch", "lw 2 lc rgb '#1f77b4' pt 7" },
		{ SYS_UDMA, M_CALLBACK, 1, "udma callback, 1 ch", "lw 2 lc rgb '#2ca02c' pt 5" },
		{ SYS_UDMA, M_POLLED, 2, "udma polled, 2 ch", "lw 2 dt 2 lc rgb '#1f77b4' pt 6" },
		{ SYS_UDMA, M_CALLBACK, 2, "udma callback, 2 ch", "lw 2 dt 2 lc rgb '#2ca02c' pt 4" },
		{ SYS_DPDK, M_POLLED, 1, "DPDK dma\\_skeleton", "lw 2 lc rgb '#d62728' pt 9" },
		{ SYS_MEMCPY, M_CPU, 1, "memcpy, 1 thread", "lw 2 lc rgb '#7f7f7f' pt 13" },
		{ SYS_MEMCPY, M_CPU, 2, "memcpy, 2 threads", "lw 2 dt 3 lc rgb '#7f7f7f' pt 12" },
		{ SYS_MEMCPY, M_NT, 1, "copy with NT stores, 1 thread", "lw 1 dt 4 lc rgb '#9467bd' pt 3" },
	};
	char dir[] = "/tmp/udmabench.XXXXXX", path[256], script[256];
	const char *panel_title[4] = { "hot buffers (256 KiB pools): operations/s",
				       "hot buffers: bandwidth",
				       "cold buffers (64 MiB pools): operations/s",
				       "cold buffers: bandwidth" };
	bool used[sizeof(ser) / sizeof(ser[0])];
	FILE *f;
	pid_t pid;
	int status, ret = -1;
	char *argv[3];

	if (strchr(png, '\'') || strchr(png, '"')) {
		fprintf(stderr, "udmabench: --png path must not contain quotes\n");
		return -1;
	}
	if (!find_in_path("gnuplot")) {
		fprintf(stderr, "udmabench: gnuplot not on PATH; no plot (apt-get install gnuplot-nox)\n");
		return -1;
	}
	if (!mkdtemp(dir))
		return -1;
	for (size_t s = 0; s < sizeof(ser) / sizeof(ser[0]); s++) {
		used[s] = false;
		for (int cl = 0; cl < 2; cl++) {
			snprintf(path, sizeof(path), "%s/s%zu_%d.dat", dir, s, cl);
			f = fopen(path, "w");
			if (!f)
				goto out;
			for (int si = 0; si < (int)NR_SIZES; si++) {
				int i = find_cell(ser[s].sys, ser[s].mode, si, cl,
						  ser[s].sys == SYS_MEMCPY ? 1 : MAX_BURST,
						  ser[s].width);
				double mo, gb;

				if (i < 0 || !cells[i].selected)
					continue;
				mo = median(cells[i].mops, opt.rounds);
				gb = median(cells[i].gbps, opt.rounds);
				if (isnan(mo))
					continue;
				fprintf(f, "%zu %g %g\n", sizes[si], mo, gb);
				used[s] = true;
			}
			fclose(f);
		}
	}
	snprintf(script, sizeof(script), "%s/plot.gp", dir);
	f = fopen(script, "w");
	if (!f)
		goto out;
	fprintf(f, "set terminal pngcairo size 1400,1000 font 'sans,10'\n"
		"set output '%s'\n"
		"set multiplot layout 2,2 title 'udmabench: libudmaengine sw-memcpy vs DPDK "
		"dma\\_skeleton vs memcpy (batch 32; %d CPUs; medians of %d rounds)'\n"
		"set logscale x 2\nset logscale y 10\nset grid\n"
		"set xtics ('64' 64, '512' 512, '4K' 4096, '64K' 65536, '1M' 1048576)\n"
		"set xlabel 'copy size (bytes)'\n", png, ncpus, opt.rounds);
	for (int p = 0; p < 4; p++) {
		int cl = p / 2, col = p % 2 ? 3 : 2;
		bool first = true;

		fprintf(f, "set title '%s'\nset ylabel '%s'\nset key %s bottom opaque box\nplot ",
			panel_title[p], p % 2 ? "GB/s" : "Mops/s", p % 2 ? "right" : "left");
		for (size_t s = 0; s < sizeof(ser) / sizeof(ser[0]); s++) {
			if (!used[s])
				continue;
			fprintf(f, "%s'%s/s%zu_%d.dat' using 1:%d with linespoints %s title '%s'",
				first ? "" : ", \\\n     ", dir, s, cl, col, ser[s].style,
				ser[s].title);
			first = false;
		}
		if (first)
			fprintf(f, "1/0 notitle");
		fprintf(f, "\n");
	}
	fprintf(f, "unset multiplot\n");
	fclose(f);
	argv[0] = (char *)"gnuplot";
	argv[1] = script;
	argv[2] = NULL;
	if (posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ) == 0 &&
	    waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status))
		ret = 0;
	else
		fprintf(stderr, "udmabench: gnuplot failed; no plot\n");
out:
	for (size_t s = 0; s < sizeof(ser) / sizeof(ser[0]); s++)
		for (int cl = 0; cl < 2; cl++) {
			snprintf(path, sizeof(path), "%s/s%zu_%d.dat", dir, s, cl);
			unlink(path);
		}
	snprintf(script, sizeof(script), "%s/plot.gp", dir);
	unlink(script);
	rmdir(dir);
	return ret;
}

/* ---------------------------------------------------------------- main */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: udmabench [options]\n"
		"Benchmarks libudmaengine's DMA_MEMCPY channels against plain memcpy and,\n"
		"when built with -Ddpdk=enabled, DPDK dmadev's dma_skeleton; prints a table,\n"
		"writes a CSV and (gnuplot on PATH) a PNG plot. See doc/performance.md.\n"
		"  --csv FILE      CSV output (default udmabench.csv; '' for none)\n"
		"  --png FILE      plot output (default udmabench.png; '' for none)\n"
		"  --rounds N      interleaved rounds (default 5, at most %d)\n"
		"  --quick         short windows (about 20 s in all)\n"
		"  --channels N    widest channel count (default: CPUs, at most 4)\n"
		"  --window MS     measurement window per cell (default 120 ms)\n"
		"  --only TEXT     only cells whose label contains TEXT, e.g.\n"
		"                  'udma polled 64B hot b32 1ch', and only the sections\n"
		"                  named in TEXT (latency, steady, api, idle); for profiling\n"
		"  --no-dpdk       skip the DPDK baseline\n"
		"  --no-pin        leave the client thread unpinned (default: first CPU)\n"
		"Environment: UDMA_PLUGIN_PATH as for every client; when unset and run from\n"
		"a build tree, the providers of that build tree are used.\n",
		MAX_ROUNDS);
}

static int parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "csv", required_argument, NULL, 'c' },
		{ "png", required_argument, NULL, 'p' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "quick", no_argument, NULL, 'q' },
		{ "channels", required_argument, NULL, 'n' },
		{ "window", required_argument, NULL, 'w' },
		{ "only", required_argument, NULL, 'o' },
		{ "no-dpdk", no_argument, NULL, 'D' },
		{ "no-pin", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	double window = -1;
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'c': opt.csv = optarg; break;
		case 'p': opt.png = optarg; break;
		case 'r': opt.rounds = atoi(optarg); break;
		case 'q': opt.quick = true; break;
		case 'n': opt.channels = atoi(optarg); break;
		case 'w': window = atof(optarg); break;
		case 'o': opt.only = optarg; break;
		case 'D': opt.no_dpdk = true; break;
		case 'P': opt.no_pin = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind < argc || opt.rounds < 1 || opt.rounds > MAX_ROUNDS ||
	    opt.channels < 0 || opt.channels > MAX_CHANNELS) {
		usage(stderr);
		return -1;
	}
	if (opt.quick) {
		opt.window_ms = 15;
		opt.warm_ms = 4;
		opt.lat_busy = 300;
		opt.lat_idle = 30;
		opt.steady_ms = 100;
	}
	if (window > 0)
		opt.window_ms = window;
	return 0;
}

static void cpu_model(char *buf, size_t n)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[256];

	snprintf(buf, n, "unknown CPU");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!strncmp(line, "model name", 10) && colon) {
			colon += 2;
			colon[strcspn(colon, "\n")] = '\0';
			snprintf(buf, n, "%s", colon);
			break;
		}
	}
	fclose(f);
}

int main(int argc, char **argv)
{
	uint64_t t_start = now_ns();
	char model[128];
	struct utsname un;
	struct cpustat cs0, cs1;
	uint64_t cpu0, cpu1;
	int want, ngroups = (int)NR_SIZES * 2;

	if (parse_args(argc, argv))
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	cpus_init();
	default_plugin_path();

	hot.len = HOT_SLOT * MAX_WORKERS;
	cold.len = COLD_POOL;
	hot.src = big_alloc(hot.len);
	hot.dst = big_alloc(hot.len);
	cold.src = big_alloc(cold.len);
	cold.dst = big_alloc(cold.len);
	if (!hot.src || !hot.dst || !cold.src || !cold.dst) {
		fprintf(stderr, "udmabench: out of memory for the buffer pools\n");
		return 1;
	}

	want = opt.channels ? opt.channels : (ncpus < 4 ? ncpus : 4);
	if (want < 1)
		want = 1;
	if (udma_setup(want) < 1) {
		fprintf(stderr, "udmabench: no DMA_MEMCPY channel (is UDMA_PLUGIN_PATH set to the "
			"folder of the sw-memcpy provider?)\n");
		return 1;
	}
	for (int w = 1; w <= n_uch; w *= 2)
		widths[n_widths++] = w;
	if (widths[n_widths - 1] != n_uch)
		widths[n_widths++] = n_uch;

#ifdef HAVE_DPDK
	if (!opt.no_dpdk)
		dpdk_setup();
#endif
	/* the client runs on the first CPU for every system, as DPDK's EAL pins it */
	if (!opt.no_pin && cpu_a >= 0)
		pin_self(cpu_a);
	sc_init();
	build_cells();

	cpu_model(model, sizeof(model));
	if (uname(&un))
		memset(&un, 0, sizeof(un));
	printf("udmabench: %d CPUs (%s), Linux %s; udma: %d channel(s); DPDK: %s; "
	       "%d rounds, %.0f ms window per cell\n",
	       ncpus, model, un.release, n_uch,
#ifdef HAVE_DPDK
	       have_dpdk() ? dpdk_version : "not available",
#else
	       "not built (-Ddpdk=enabled)",
#endif
	       opt.rounds, opt.window_ms);
	printf("udmabench: client thread %s; load average at start: ",
	       opt.no_pin ? "not pinned" : "pinned to the first CPU");
	{
		char la[64] = "?";
		FILE *f = fopen("/proc/loadavg", "re");

		if (f) {
			if (!fgets(la, sizeof(la), f))
				snprintf(la, sizeof(la), "?\n");
			fclose(f);
		}
		printf("%s", la);
	}
	cpustat_read(&cs0);
	cpu0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	if (!sc.ok)
		printf("udmabench: syscall counts unavailable: %s\n", sc.why);
	if (!allocs_counted())
		printf("udmabench: malloc counts unavailable in a sanitizer build\n");

	for (int rnd = 0; rnd < opt.rounds; rnd++) {
		bool rev = rnd & 1;

		fprintf(stderr, "udmabench: round %d/%d (%.0f s)\n", rnd + 1, opt.rounds,
			(double)(now_ns() - t_start) / 1e9);
		if (section("latency"))
			run_latency_round(rnd);
		for (int gi = 0; gi < ngroups; gi++) {
			int g = rev ? ngroups - 1 - gi : gi;
			int first = -1, last = -1;
			bool any = false;

			for (int i = 0; i < n_cells; i++) {
				if (cells[i].size_idx * 2 + (int)cells[i].cold != g)
					continue;
				if (first < 0)
					first = i;
				last = i;
				any |= cells[i].selected;
			}
			if (!any)
				continue;
			for (int k = 0; k <= last - first; k++) {
				int i = rev ? last - k : first + k;

				/* placement can change any time: measured right before each cell */
				if (cells[i].selected)
					run_cell(&cells[i], rnd, c2c_round_trip());
			}
		}
	}
	if (section("steady") || section("idle") || section("api"))
		fprintf(stderr, "udmabench: steady state, call cost and idle CPU (%.0f s)\n",
			(double)(now_ns() - t_start) / 1e9);
	if (section("steady"))
		measure_steady();
	if (section("api"))
		measure_api_cost();
	if (section("idle"))
		measure_idle_cpu();
	compute_targets();
	cpustat_read(&cs1);
	cpu1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);

	print_table(stdout);
	print_extras(stdout);
	if (!opt.only)
		print_targets(stdout);
	if (cs1.total > cs0.total) {
		double total_ns = (double)(cs1.total - cs0.total) * 1e9 / (double)sysconf(_SC_CLK_TCK);
		double busy_ns = (double)(cs1.busy - cs0.busy) * 1e9 / (double)sysconf(_SC_CLK_TCK);
		double other = 100.0 * (busy_ns - (double)(cpu1 - cpu0)) / total_ns;
		double steal = 100.0 * (double)(cs1.steal - cs0.steal) / (double)(cs1.total - cs0.total);

		printf("\nOther processes used %.1f %% of the machine's CPU time during the run "
		       "(hypervisor steal %.1f %%)%s\n", other > 0 ? other : 0, steal,
		       other > 5 || steal > 5 ? ": the machine was not quiet, treat the figures "
		       "with suspicion" : "");
	}
	printf("\nudmabench: done in %.1f s\n", (double)(now_ns() - t_start) / 1e9);
	if (opt.csv && *opt.csv && !write_csv(opt.csv))
		printf("udmabench: wrote %s\n", opt.csv);
	if (opt.png && *opt.png && !plot(opt.png))
		printf("udmabench: wrote %s\n", opt.png);

	udma_teardown();
#ifdef HAVE_DPDK
	if (have_dpdk())
		dpdk_teardown();
#endif
	free(hot.src);
	free(hot.dst);
	free(cold.src);
	free(cold.dst);
	return 0;
}
