/* SPDX-License-Identifier: MIT */
/*
 * test-lifecycle.c - the library's life cycle around a process (integration
 * suite: the real sw-memcpy and cyclic-ring plugins, plus a mock device).
 *
 *   fork_before_use_child_starts_fresh  A child forked before the library ran
 *       any thread (this is the group's first test: nothing has touched the
 *       library yet) requests a channel, copies, and exits cleanly.
 *   fork_child_refused_parent_unharmed  A child forked while the library runs
 *       threads uses the parent's channels and descriptors, requests new
 *       channels, registers and unregisters devices: every call is refused
 *       with its documented result and a log line, nothing hangs, and its
 *       exit() returns; async_tx finds no channel there and copies on the
 *       CPU. The parent's channels then finish their work.
 *   fork_child_while_callback_runs  The same while a completion thread is
 *       parked inside a run (synchronize would wait for it forever in the
 *       child, which has no such thread).
 *   exit_releases_and_joins  A fresh process (this binary re-executed with
 *       --exit-child) leaves channels held with copies in flight and a
 *       cyclic transfer running, and returns from main(): the exit path
 *       releases the channels, unregisters the plugins' devices and joins
 *       every completion thread (its info line says so) within the deadline.
 *   unregister_busy_with_descriptors_in_flight  dma_async_device_unregister
 *       of a device whose channel is held with descriptors issued (sw-memcpy:
 *       running copies; mock: issued, not completed) is -EBUSY and logged;
 *       every descriptor then completes with verified data, and the device
 *       unregisters once released.
 *
 * Children never call cmocka: they report the number of the first failed
 * check as their exit status, and the parent waits for them with a deadline
 * (a hang fails the test and the child is killed).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <udmaengine/async_tx.h>
#include <udmaengine/dmaengine.h>
#include <udmaengine/fault.h>
#include <udmaengine/periph.h>
#include <udmaengine/udma.h>
#include "log-capture.h"
#include "mock-provider.h"
#include "test-util.h"

#define LEN 4096
#define CHILD_DEADLINE_MS 20000u

static const char *self_path;

/* ------------------------------------------------------------ helpers */

static bool name_filter(struct dma_chan *chan, void *param)
{
	return chan->device->udma_name && !strcmp(chan->device->udma_name, param);
}

static struct dma_chan *request_named(const char *dev, enum dma_transaction_type cap)
{
	dma_cap_mask_t m;

	dma_cap_zero(m);
	dma_cap_set(cap, m);
	return dma_request_channel(m, name_filter, (void *)dev);
}

/* Wait for @pid with a deadline; kill it on timeout. Returns its wait status,
 * or -1 on timeout. */
static int wait_child(pid_t pid, unsigned int timeout_ms)
{
	struct timespec ts = { 0, 2000000 };
	int status;

	for (unsigned int waited = 0; waited < timeout_ms; waited += 2) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

static void assert_child_ok(pid_t pid)
{
	int status;

	assert_true(pid > 0);
	status = wait_child(pid, CHILD_DEADLINE_MS);
	if (status == -1)
		fail_msg("child %d hung (killed after %u ms)", (int)pid, CHILD_DEADLINE_MS);
	if (WIFSIGNALED(status))
		fail_msg("child %d died of signal %d", (int)pid, WTERMSIG(status));
	if (WEXITSTATUS(status))
		fail_msg("child %d: check %d failed", (int)pid, WEXITSTATUS(status));
}

struct done {
	struct counter n;
	int result;
};

static void done_cb(void *param, const struct dmaengine_result *res)
{
	struct done *d = param;

	__atomic_store_n(&d->result, (int)res->result, __ATOMIC_SEQ_CST);
	counter_add(&d->n, 1);
}

/* One verified copy; returns 0 or the step that failed (child-safe: no cmocka). */
static int copy_check(struct dma_chan *chan)
{
	static unsigned char src[LEN], dst[LEN];
	struct device *dev = chan->device->dev;
	struct dma_async_tx_descriptor *tx;
	struct done d;
	dma_cookie_t cookie;
	dma_addr_t s, dd;
	int ret = 0;

	counter_init(&d.n);
	d.result = -1;
	for (size_t i = 0; i < LEN; i++)
		src[i] = (unsigned char)(i * 7 + 3);
	memset(dst, 0, sizeof(dst));
	s = dma_map_single(dev, src, LEN, DMA_TO_DEVICE);
	dd = dma_map_single(dev, dst, LEN, DMA_FROM_DEVICE);
	tx = dmaengine_prep_dma_memcpy(chan, dd, s, LEN, DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	if (!tx)
		return 1;
	tx->callback_result = done_cb;
	tx->callback_param = &d;
	cookie = dmaengine_submit(tx);
	if (cookie < DMA_MIN_COOKIE)
		ret = 2;
	dma_async_issue_pending(chan);
	if (!ret && !counter_wait_ge(&d.n, 1, TEST_DEADLINE_MS))
		ret = 3;
	dmaengine_synchronize(chan);
	if (!ret && __atomic_load_n(&d.result, __ATOMIC_SEQ_CST) != DMA_TRANS_NOERROR)
		ret = 4;
	if (!ret && dmaengine_tx_status(chan, cookie, NULL) != DMA_COMPLETE)
		ret = 5;
	if (!ret && memcmp(src, dst, LEN))
		ret = 6;
	dma_unmap_single(dev, s, LEN, DMA_TO_DEVICE);
	dma_unmap_single(dev, dd, LEN, DMA_FROM_DEVICE);
	counter_destroy(&d.n);
	return ret;
}

/* ------------------------------------------------ fork before any use */

static void fork_before_use_child_starts_fresh(void **state)
{
	pid_t pid;

	(void)state;
	pid = fork();
	if (pid == 0) {
		struct dma_chan *chan = request_named("sw-memcpy", DMA_MEMCPY);
		int r;

		if (!chan)
			_exit(10);
		r = copy_check(chan);
		if (r)
			_exit(10 + r);
		dma_release_channel(chan);
		exit(0); /* the exit path of the child's own library state */
	}
	assert_child_ok(pid);
}

/* ------------------------------------------ fork while threads run */

/*
 * LeakSanitizer (ASan builds) checks for leaks at exit by locking its
 * allocator; in a child forked while other threads ran, a lock one of them
 * held at the fork stays locked and the check hangs (GCC 12's runtime does
 * not reset them). LSan asks this hook first, so children of a threaded
 * parent skip that check; valgrind (--trace-children) still checks them.
 * Without ASan the function is never called.
 */
static volatile int lsan_off_in_child;
int __lsan_is_turned_off(void);
int __lsan_is_turned_off(void)
{
	return lsan_off_in_child;
}

/*
 * The child's side: every call on the parent's objects is refused, with a
 * log line each. Returns 0 or the number of the first failed check.
 */
#define CHILD_CHECK(n, expr)                                                  \
	do {                                                                  \
		int before_ = log_count();                                    \
		if (!(expr))                                                  \
			return (n);                                           \
		if (log_count() <= before_ || !log_has("child process forked")) \
			return 100 + (n);                                     \
	} while (0)

struct parent_state {
	struct dma_chan *chan;                  /* sw-memcpy, held */
	struct dma_chan *cyc;                   /* cyclic-ring, held */
	struct dma_async_tx_descriptor *prepped; /* prepared, not submitted */
	dma_cookie_t queued;                    /* submitted, not issued */
	dma_addr_t s, d;
	struct mock_dev *md;                    /* registered mock device */
};

static int child_uses_parent(struct parent_state *ps)
{
	struct dma_slave_config cfg;
	struct dma_slave_caps caps;
	struct dma_device fake;
	struct device client = { .init_name = "codec0" };
	dma_cap_mask_t m;

	udma_set_log_fn(log_sink, NULL);
	log_reset();
	memset(&cfg, 0, sizeof(cfg));
	memset(&fake, 0, sizeof(fake));
	dma_cap_zero(m);
	dma_cap_set(DMA_MEMCPY, m);

	CHILD_CHECK(1, dmaengine_prep_dma_memcpy(ps->chan, ps->d, ps->s, 64, 0) == NULL);
	CHILD_CHECK(2, dmaengine_submit(ps->prepped) == -EINVAL);
	CHILD_CHECK(3, (dma_async_issue_pending(ps->chan), true));
	CHILD_CHECK(4, dmaengine_tx_status(ps->chan, ps->queued, NULL) == DMA_ERROR);
	CHILD_CHECK(5, dma_sync_wait(ps->chan, ps->queued) == DMA_ERROR);
	CHILD_CHECK(6, dmaengine_terminate_async(ps->chan) == -EINVAL);
	CHILD_CHECK(7, dmaengine_terminate_sync(ps->chan) == -EINVAL);
	CHILD_CHECK(8, (dmaengine_synchronize(ps->chan), true));
	CHILD_CHECK(9, dmaengine_slave_config(ps->cyc, &cfg) == -EINVAL);
	CHILD_CHECK(10, dmaengine_pause(ps->cyc) == -EINVAL);
	CHILD_CHECK(11, dmaengine_resume(ps->cyc) == -EINVAL);
	CHILD_CHECK(12, dma_get_slave_caps(ps->cyc, &caps) == -EINVAL);
	CHILD_CHECK(13, dmaengine_desc_set_reuse(ps->prepped) == -EINVAL);
	CHILD_CHECK(14, dmaengine_desc_free(ps->prepped) == -EINVAL);
	CHILD_CHECK(15, dma_request_channel(m, NULL, NULL) == NULL);
	CHILD_CHECK(16, PTR_ERR(dma_request_chan_by_mask(&m)) == -ENODEV);
	CHILD_CHECK(17, PTR_ERR(dma_request_chan(&client, "tx")) == -ENODEV);
	CHILD_CHECK(18, dma_async_device_unregister(mock_dev_device(ps->md)) == -EINVAL);
	CHILD_CHECK(19, dma_async_device_register(&fake) == -EINVAL);
	/* the entry points added with async_tx, completion contexts, stats, faults */
	CHILD_CHECK(20, udma_chan_set_completion_mode(ps->chan, UDMA_COMPLETION_POLLED) == -EINVAL);
	CHILD_CHECK(21, udma_chan_poll(ps->chan, 16) == -EINVAL);
	CHILD_CHECK(22, udma_chan_set_fault(ps->chan, NULL) == -EINVAL);
	CHILD_CHECK(23, udma_chan_set_client_name(ps->chan, "child") == -EINVAL);
	CHILD_CHECK(24, udma_dump(stderr) == -EINVAL);
	CHILD_CHECK(25, (dmaengine_get(), true));
	CHILD_CHECK(26, (dma_issue_pending_all(), true));
	CHILD_CHECK(27, (dmaengine_put(), true));
	/* async_tx: no channel in the child, so the copy runs synchronously */
	{
		static unsigned char a[2 * PAGE_SIZE] __attribute__((aligned(4096)));
		struct async_submit_ctl submit;

		memset(a, 0x5a, PAGE_SIZE);
		memset(a + PAGE_SIZE, 0, PAGE_SIZE);
		if (dma_find_channel(DMA_MEMCPY) != NULL)
			return 28;
		init_async_submit(&submit, ASYNC_TX_ACK, NULL, NULL, NULL, NULL);
		if (async_memcpy(virt_to_page(a + PAGE_SIZE), virt_to_page(a), 0, 0, PAGE_SIZE,
				 &submit) != NULL)
			return 29;
		if (memcmp(a, a + PAGE_SIZE, PAGE_SIZE))
			return 30;
	}
	CHILD_CHECK(31, (dma_release_channel(ps->chan), true));
	CHILD_CHECK(32, (dma_release_channel(ps->cyc), true));
	return 0;
}

static void parent_setup(struct parent_state *ps, unsigned char *src, unsigned char *dst)
{
	static const struct mock_opts o = { .name = "mock-fork", .nr_chans = 1,
					    .memcpy = true, .manual = true };
	struct dma_async_tx_descriptor *tx;

	ps->chan = request_named("sw-memcpy", DMA_MEMCPY);
	assert_non_null(ps->chan);
	ps->cyc = request_named("cyclic-ring", DMA_CYCLIC);
	assert_non_null(ps->cyc);
	ps->s = dma_map_single(ps->chan->device->dev, src, LEN, DMA_TO_DEVICE);
	ps->d = dma_map_single(ps->chan->device->dev, dst, LEN, DMA_FROM_DEVICE);
	ps->prepped = dmaengine_prep_dma_memcpy(ps->chan, ps->d, ps->s, LEN / 2, DMA_CTRL_ACK);
	assert_non_null(ps->prepped);
	tx = dmaengine_prep_dma_memcpy(ps->chan, ps->d + LEN / 2, ps->s + LEN / 2, LEN / 2,
				       DMA_CTRL_ACK);
	assert_non_null(tx);
	ps->queued = dmaengine_submit(tx);
	assert_true(ps->queued >= DMA_MIN_COOKIE);
	ps->md = mock_dev_create(&o);
	assert_non_null(ps->md);
	assert_int_equal(mock_dev_register(ps->md), 0);
}

/* After the child: the parent's prepared and queued work still completes. */
static void parent_finish(struct parent_state *ps, unsigned char *src, unsigned char *dst)
{
	dma_cookie_t c = dmaengine_submit(ps->prepped);

	assert_true(c >= DMA_MIN_COOKIE);
	assert_int_equal(dma_sync_wait(ps->chan, c), DMA_COMPLETE);
	assert_int_equal(dmaengine_tx_status(ps->chan, ps->queued, NULL), DMA_COMPLETE);
	assert_memory_equal(src, dst, LEN);
	assert_int_equal(copy_check(ps->chan), 0);
	dma_unmap_single(ps->chan->device->dev, ps->s, LEN, DMA_TO_DEVICE);
	dma_unmap_single(ps->chan->device->dev, ps->d, LEN, DMA_FROM_DEVICE);
	dma_release_channel(ps->chan);
	dma_release_channel(ps->cyc);
	assert_int_equal(mock_dev_unregister(ps->md), 0);
	mock_dev_destroy(ps->md);
}

static void fork_child_refused_parent_unharmed(void **state)
{
	static unsigned char src[LEN], dst[LEN];
	struct parent_state ps;
	pid_t pid;

	(void)state;
	for (size_t i = 0; i < LEN; i++)
		src[i] = (unsigned char)(i ^ 0xa5);
	memset(dst, 0, sizeof(dst));
	parent_setup(&ps, src, dst);

	pid = fork();
	if (pid == 0) {
		int r;

		lsan_off_in_child = 1;
		r = child_uses_parent(&ps);

		if (r) {
			log_dump();
			_exit(r > 255 ? 255 : r);
		}
		exit(0); /* the exit destructor must not wait for the parent's threads */
	}
	assert_child_ok(pid);
	parent_finish(&ps, src, dst);
}

/* The parent's completion thread is parked mid-run at fork time. */
static void fork_child_while_callback_runs(void **state)
{
	static const struct mock_opts o = { .name = "mock-parked", .nr_chans = 1,
					    .memcpy = true };
	struct mock_dev *md = mock_dev_create(&o);
	struct dma_chan *chan;
	pid_t pid;

	(void)state;
	assert_non_null(md);
	assert_int_equal(mock_dev_register(md), 0);
	chan = mock_dev_request(md);
	assert_non_null(chan);
	assert_int_equal(mock_chan_hold(chan, TEST_DEADLINE_MS), 0);

	pid = fork();
	if (pid == 0) {
		lsan_off_in_child = 1;
		udma_set_log_fn(log_sink, NULL);
		log_reset();
		if (dmaengine_terminate_sync(chan) != -EINVAL)
			_exit(1);
		dmaengine_synchronize(chan);
		dma_release_channel(chan);
		if (dma_async_device_unregister(mock_dev_device(md)) != -EINVAL)
			_exit(2);
		if (log_count() < 4 || !log_has("child process forked"))
			_exit(3);
		exit(0);
	}
	assert_child_ok(pid);
	mock_chan_unhold(chan);
	assert_int_equal(copy_check(chan), 0);
	dma_release_channel(chan);
	assert_int_equal(mock_dev_count(md, MOCK_VIOLATION), 0);
	mock_dev_destroy(md);
}

/* ------------------------------------------------------------- exit */

/*
 * Run as "test-lifecycle --exit-child": hold channels with work in flight and
 * return from main(). Exit status 0 unless setting up failed.
 */
static int exit_child(void)
{
	static unsigned char src[2 << 20], dst[2 << 20], ring[4096];
	static struct udma_periph *codec;
	const struct udma_periph_config pc = { .name = "exit-codec", .fifo_depth = 64,
					       .width = DMA_SLAVE_BUSWIDTH_4_BYTES,
					       .rate = 48000 * 4 };
	struct dma_chan *chan, *cyc;
	struct dma_slave_config cfg;
	struct dma_async_tx_descriptor *tx;
	dma_addr_t s, d, r;

	chan = request_named("sw-memcpy", DMA_MEMCPY);
	cyc = request_named("cyclic-ring", DMA_CYCLIC);
	if (!chan || !cyc)
		return 1;
	s = dma_map_single(chan->device->dev, src, sizeof(src), DMA_TO_DEVICE);
	d = dma_map_single(chan->device->dev, dst, sizeof(dst), DMA_FROM_DEVICE);
	for (int i = 0; i < 8; i++) {
		tx = dmaengine_prep_dma_memcpy(chan, d + (i << 18), s + (i << 18), 1 << 18, 0);
		if (!tx || dmaengine_submit(tx) < DMA_MIN_COOKIE)
			return 2;
	}
	dma_async_issue_pending(chan);
	/* no DMA_CTRL_ACK: one stays on the unacked list for release to free */

	codec = udma_periph_create(&pc); /* the process ends with it */
	if (!codec)
		return 5;
	memset(&cfg, 0, sizeof(cfg));
	cfg.direction = DMA_MEM_TO_DEV;
	cfg.dst_addr_width = DMA_SLAVE_BUSWIDTH_4_BYTES;
	cfg.dst_addr = udma_periph_addr(codec);
	if (dmaengine_slave_config(cyc, &cfg))
		return 3;
	r = dma_map_single(cyc->device->dev, ring, sizeof(ring), DMA_TO_DEVICE);
	tx = dmaengine_prep_dma_cyclic(cyc, r, sizeof(ring), 1024, DMA_MEM_TO_DEV,
				       DMA_PREP_INTERRUPT);
	if (!tx || dmaengine_submit(tx) < DMA_MIN_COOKIE)
		return 4;
	dma_async_issue_pending(cyc);
	return 0; /* channels held, work in flight: the exit path cleans up */
}

static void exit_releases_and_joins(void **state)
{
	int pipefd[2];
	char out[8192];
	size_t n = 0;
	pid_t pid;
	int status;

	(void)state;
	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	if (pid == 0) {
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		close(pipefd[1]);
		setenv("UDMA_LOG_LEVEL", "info", 1);
		execl(self_path, self_path, "--exit-child", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		ssize_t r = read(pipefd[0], out + n, sizeof(out) - 1 - n);

		if (r <= 0 || (n += (size_t)r) == sizeof(out) - 1)
			break;
	}
	out[n] = '\0';
	close(pipefd[0]);
	status = wait_child(pid, CHILD_DEADLINE_MS);
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "%s", out);
		fail_msg("exit child: status 0x%x", status);
	}
	if (!strstr(out, "udma_exit: all completion threads joined")) {
		fprintf(stderr, "%s", out);
		fail_msg("the exit path did not join every completion thread");
	}
}

/* -------------------------------------------------- unregister busy */

static void unregister_busy_with_descriptors_in_flight(void **state)
{
	static unsigned char src[4 << 20], dst[4 << 20];
	static const struct mock_opts o = { .name = "mock-inflight", .nr_chans = 1,
					    .memcpy = true, .manual = true };
	struct dma_async_tx_descriptor *tx;
	struct dma_chan *chan;
	struct mock_dev *md;
	dma_cookie_t cookies[4];
	struct done d;
	dma_addr_t s, dd;

	(void)state;
	/* sw-memcpy: four 1 MiB copies running */
	chan = request_named("sw-memcpy", DMA_MEMCPY);
	assert_non_null(chan);
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 31 + (i >> 12));
	memset(dst, 0, sizeof(dst));
	s = dma_map_single(chan->device->dev, src, sizeof(src), DMA_TO_DEVICE);
	dd = dma_map_single(chan->device->dev, dst, sizeof(dst), DMA_FROM_DEVICE);
	counter_init(&d.n);
	for (int i = 0; i < 4; i++) {
		tx = dmaengine_prep_dma_memcpy(chan, dd + (i << 20), s + (i << 20), 1 << 20,
					       DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
		assert_non_null(tx);
		tx->callback_result = done_cb;
		tx->callback_param = &d;
		cookies[i] = dmaengine_submit(tx);
		assert_true(cookies[i] >= DMA_MIN_COOKIE);
	}
	dma_async_issue_pending(chan);
	udma_set_log_fn(log_sink, NULL);
	log_reset();
	assert_int_equal(dma_async_device_unregister(chan->device), -EBUSY);
	udma_set_log_fn(NULL, NULL);
	assert_true(log_has("still held by a client"));
	assert_true(counter_wait_ge(&d.n, 4, TEST_DEADLINE_MS));
	dmaengine_synchronize(chan);
	for (int i = 0; i < 4; i++)
		assert_int_equal(dmaengine_tx_status(chan, cookies[i], NULL), DMA_COMPLETE);
	assert_memory_equal(src, dst, sizeof(src));
	assert_int_equal(copy_check(chan), 0);
	dma_unmap_single(chan->device->dev, s, sizeof(src), DMA_TO_DEVICE);
	dma_unmap_single(chan->device->dev, dd, sizeof(dst), DMA_FROM_DEVICE);
	dma_release_channel(chan);

	/* mock: issued, not completed, while unregister is tried */
	md = mock_dev_create(&o);
	assert_non_null(md);
	assert_int_equal(mock_dev_register(md), 0);
	chan = mock_dev_request(md);
	assert_non_null(chan);
	memset(dst, 0, LEN);
	s = dma_map_single(chan->device->dev, src, LEN, DMA_TO_DEVICE);
	dd = dma_map_single(chan->device->dev, dst, LEN, DMA_FROM_DEVICE);
	counter_destroy(&d.n);
	counter_init(&d.n);
	for (int i = 0; i < 2; i++) {
		tx = dmaengine_prep_dma_memcpy(chan, dd + i * (LEN / 2), s + i * (LEN / 2),
					       LEN / 2, DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
		assert_non_null(tx);
		tx->callback_result = done_cb;
		tx->callback_param = &d;
		cookies[i] = dmaengine_submit(tx);
	}
	dma_async_issue_pending(chan);
	assert_int_equal(mock_chan_issued(chan), 2);
	udma_set_log_fn(log_sink, NULL);
	log_reset();
	assert_int_equal(mock_dev_unregister(md), -EBUSY);
	udma_set_log_fn(NULL, NULL);
	assert_true(log_has("still held by a client"));
	assert_int_equal(mock_dev_count(md, MOCK_TERMINATE), 0); /* nothing torn down */
	assert_int_equal(mock_chan_issued(chan), 2);
	assert_int_equal(dmaengine_tx_status(chan, cookies[1], NULL), DMA_IN_PROGRESS);
	assert_int_equal(mock_complete_next(chan, DMA_TRANS_NOERROR), 0);
	assert_int_equal(mock_complete_next(chan, DMA_TRANS_NOERROR), 0);
	assert_int_equal(mock_chan_flush(chan, TEST_DEADLINE_MS), 0);
	assert_int_equal(counter_get(&d.n), 2);
	for (int i = 0; i < 2; i++)
		assert_int_equal(dmaengine_tx_status(chan, cookies[i], NULL), DMA_COMPLETE);
	assert_memory_equal(src, dst, LEN);
	dma_release_channel(chan);
	assert_int_equal(mock_dev_unregister(md), 0);
	assert_int_equal(mock_dev_count(md, MOCK_VIOLATION), 0);
	mock_dev_destroy(md);
	counter_destroy(&d.n);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		/* first: nothing may have touched the library before it */
		cmocka_unit_test(fork_before_use_child_starts_fresh),
		cmocka_unit_test(fork_child_refused_parent_unharmed),
		cmocka_unit_test(fork_child_while_callback_runs),
		cmocka_unit_test(exit_releases_and_joins),
		cmocka_unit_test(unregister_busy_with_descriptors_in_flight),
	};

	self_path = argv[0];
	if (argc > 1 && !strcmp(argv[1], "--exit-child"))
		return exit_child();
	return cmocka_run_group_tests_name("lifecycle", tests, NULL, NULL);
}
