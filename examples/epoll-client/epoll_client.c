/* SPDX-License-Identifier: MIT */
/*
 * epoll_client.c - a single-threaded event-loop client: DMA completions are
 * one more file descriptor in an epoll loop.
 *
 * The channel is put into UDMA_COMPLETION_EVENTFD mode; its eventfd and a
 * timerfd go into one epoll set. Every timer tick (1 ms) fills the free
 * slots of 128 with copies of random length (1..16 KiB), in batches of 8;
 * when the eventfd is readable, the loop calls udma_chan_poll(), which runs
 * the callbacks right here, on the loop's thread: each callback checks its
 * thread id against the loop's, verifies the copy byte for byte and frees its
 * slot, which the loop refills at once. The program ends after --copies copies (default 20000), removes the
 * fd from the loop, terminates and releases the channel, and exits non-zero
 * on any wrong thread, bad byte or timeout (10 s of no progress).
 *
 * --measure instead prints the callback latency (issue of one copy to the
 * start of its callback, 1 in flight, median and p99) and the throughput
 * (64-byte copies, 32 in flight) of each completion mode: tasklet (callback
 * on the completion thread, client waits on a futex-backed condition),
 * polled (client spins on udma_chan_poll) and eventfd (client sleeps in
 * epoll_wait). Numbers only; nothing is asserted.
 *
 * Single-threaded by design: no lock anywhere in this file.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <udmaengine/dmaengine.h>

#define SLOTS 128
#define MAX_LEN (16 * 1024)
#define BATCH 8

struct slot {
	bool busy;
	size_t len;
	dma_addr_t src_dma, dst_dma;
	uint8_t src[MAX_LEN];
	uint8_t dst[MAX_LEN];
};

static struct dma_chan *chan;
static struct slot *slots;
static pthread_t loop_thread;
static unsigned long done, bad_thread, bad_data, in_flight;
static unsigned int seed = 1;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Runs inside udma_chan_poll(), i.e. on the loop's thread. */
static void copy_done(void *param, const struct dmaengine_result *res)
{
	struct slot *s = param;

	if (!pthread_equal(pthread_self(), loop_thread))
		bad_thread++;
	if (res->result != DMA_TRANS_NOERROR || memcmp(s->src, s->dst, s->len))
		bad_data++;
	s->busy = false;
	in_flight--;
	done++;
}

static int submit_one(struct slot *s)
{
	struct dma_async_tx_descriptor *tx;

	unsigned int salt = (unsigned int)rand_r(&seed);

	s->len = 1 + (size_t)rand_r(&seed) % MAX_LEN;
	for (size_t i = 0; i < s->len; i++)
		s->src[i] = (uint8_t)(salt + i * 131u + (i >> 8));
	memset(s->dst, 0, s->len);
	tx = dmaengine_prep_dma_memcpy(chan, s->dst_dma, s->src_dma, s->len,
				       DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
	if (!tx)
		return -ENOMEM;
	tx->callback_result = copy_done;
	tx->callback_param = s;
	if (dma_submit_error(dmaengine_submit(tx)))
		return -EINVAL;
	s->busy = true;
	in_flight++;
	return 0;
}

/* Fill free slots, up to BATCH copies per call, as one issued batch. */
static void refill(unsigned long *submitted, unsigned long copies)
{
	int queued = 0;

	for (int k = 0; k < SLOTS && queued < BATCH && *submitted < copies; k++) {
		if (slots[k].busy)
			continue;
		if (submit_one(&slots[k]))
			break;
		(*submitted)++;
		queued++;
	}
	if (queued)
		dma_async_issue_pending(chan);
}

static int run_loop(unsigned long copies)
{
	struct itimerspec its = { { 0, 1000000 }, { 0, 1000000 } };
	struct epoll_event ev, evs[4];
	unsigned long submitted = 0, last_done = 0;
	uint64_t last_progress = now_ns(), t0 = now_ns();
	int ep, tfd, efd, ret = 0;

	efd = udma_chan_get_eventfd(chan);
	ep = epoll_create1(EPOLL_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (efd < 0 || ep < 0 || tfd < 0 || timerfd_settime(tfd, 0, &its, NULL)) {
		perror("epoll-client: setup");
		return 1;
	}
	ev.events = EPOLLIN;
	ev.data.fd = efd;
	epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev);
	ev.data.fd = tfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);

	while (done < copies) {
		int n = epoll_wait(ep, evs, 4, 1000);

		for (int i = 0; i < n; i++) {
			if (evs[i].data.fd == efd) {
				/* completions pending: run their callbacks here */
				int r = udma_chan_poll(chan, UDMA_POLL_ALL);

				if (r < 0 && r != -EBUSY) {
					fprintf(stderr, "epoll-client: poll: %d\n", r);
					ret = 1;
					goto out;
				}
				/* slots freed by the callbacks: keep the engine busy */
				refill(&submitted, copies);
			} else {
				uint64_t ticks;

				/* the tick starts (and restarts) submitting */
				if (read(tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
					perror("epoll-client: timerfd");
				for (int b = 0; b < SLOTS / BATCH; b++)
					refill(&submitted, copies);
			}
		}
		if (done != last_done) {
			last_done = done;
			last_progress = now_ns();
		} else if (now_ns() - last_progress > 10000000000ull) {
			fprintf(stderr, "epoll-client: no progress for 10 s (%lu in flight)\n",
				in_flight);
			ret = 1;
			break;
		}
	}
out:
	/* take the fd out of the loop before the channel closes it */
	epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL);
	dmaengine_terminate_sync(chan);
	printf("epoll-client: %lu copies in %.3f s on the loop thread, %lu wrong thread, "
	       "%lu bad data\n", done, (double)(now_ns() - t0) / 1e9, bad_thread, bad_data);
	close(tfd);
	close(ep);
	return ret || bad_thread || bad_data || done < copies;
}

/* ------------------------------------------------------------ --measure */

static volatile unsigned long m_done;
static volatile uint64_t m_cb_ns;
static pthread_mutex_t m_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t m_cond = PTHREAD_COND_INITIALIZER;

static void m_cb(void *param, const struct dmaengine_result *res)
{
	(void)res;
	if (param) { /* tasklet mode: another thread waits */
		pthread_mutex_lock(&m_lock);
		m_cb_ns = now_ns();
		m_done++;
		pthread_cond_signal(&m_cond);
		pthread_mutex_unlock(&m_lock);
	} else {
		m_cb_ns = now_ns();
		m_done++;
	}
}

static void m_wait(int mode, int ep, unsigned long target)
{
	if (mode == UDMA_COMPLETION_TASKLET) {
		pthread_mutex_lock(&m_lock);
		while (m_done < target)
			pthread_cond_wait(&m_cond, &m_lock);
		pthread_mutex_unlock(&m_lock);
	} else if (mode == UDMA_COMPLETION_POLLED) {
		while (m_done < target)
			udma_chan_poll(chan, UDMA_POLL_ALL);
	} else {
		struct epoll_event ev;

		while (m_done < target)
			if (epoll_wait(ep, &ev, 1, 1000) == 1)
				udma_chan_poll(chan, UDMA_POLL_ALL);
	}
}

static unsigned long m_get_done(int mode)
{
	unsigned long d;

	if (mode != UDMA_COMPLETION_TASKLET)
		return m_done;
	pthread_mutex_lock(&m_lock);
	d = m_done;
	pthread_mutex_unlock(&m_lock);
	return d;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void measure(void)
{
	static const char *names[] = { "tasklet", "polled", "eventfd" };
	enum { LAT_N = 2000, THR_N = 200000, THR_DEPTH = 32 };
	static uint64_t lat[LAT_N];
	struct slot *s = &slots[0];

	printf("mode      latency p50    p99   throughput (64 B copies, %d in flight)\n",
	       THR_DEPTH);
	for (int mode = 0; mode < 3; mode++) {
		void *param = mode == UDMA_COMPLETION_TASKLET ? (void *)1 : NULL;
		int ep = -1;
		unsigned long issued;
		uint64_t t0, dt;

		if (udma_chan_set_completion_mode(chan, (enum udma_completion_mode)mode)) {
			fprintf(stderr, "epoll-client: cannot set mode %s\n", names[mode]);
			return;
		}
		if (mode == UDMA_COMPLETION_EVENTFD) {
			struct epoll_event ev = { .events = EPOLLIN };

			ep = epoll_create1(EPOLL_CLOEXEC);
			ev.data.fd = udma_chan_get_eventfd(chan);
			epoll_ctl(ep, EPOLL_CTL_ADD, ev.data.fd, &ev);
		}
		m_done = 0;
		for (int i = 0; i < LAT_N; i++) {
			struct dma_async_tx_descriptor *tx = dmaengine_prep_dma_memcpy(
				chan, s->dst_dma, s->src_dma, 64, DMA_PREP_INTERRUPT | DMA_CTRL_ACK);
			uint64_t start;

			tx->callback_result = m_cb;
			tx->callback_param = param;
			dmaengine_submit(tx);
			start = now_ns();
			dma_async_issue_pending(chan);
			m_wait(mode, ep, (unsigned long)i + 1);
			lat[i] = m_cb_ns - start;
		}
		qsort(lat, LAT_N, sizeof(lat[0]), cmp_u64);

		m_done = 0;
		issued = 0;
		t0 = now_ns();
		while (m_get_done(mode) < THR_N) {
			unsigned long d = m_get_done(mode);
			int q = 0;

			while (issued < THR_N && issued - d < THR_DEPTH) {
				struct dma_async_tx_descriptor *tx = dmaengine_prep_dma_memcpy(
					chan, s->dst_dma, s->src_dma, 64,
					DMA_PREP_INTERRUPT | DMA_CTRL_ACK);

				if (!tx)
					break;
				tx->callback_result = m_cb;
				tx->callback_param = param;
				dmaengine_submit(tx);
				issued++;
				q++;
			}
			if (q)
				dma_async_issue_pending(chan);
			m_wait(mode, ep, d + 1); /* d: read before issuing, so one is in flight */
		}
		dt = now_ns() - t0;
		printf("%-8s %8.1f us %6.1f us %10.0f callbacks/s\n", names[mode],
		       (double)lat[LAT_N / 2] / 1e3, (double)lat[LAT_N * 99 / 100] / 1e3,
		       (double)THR_N * 1e9 / (double)dt);
		if (ep >= 0) {
			epoll_ctl(ep, EPOLL_CTL_DEL, udma_chan_get_eventfd(chan), NULL);
			close(ep);
		}
		dmaengine_terminate_sync(chan);
	}
	udma_chan_set_completion_mode(chan, UDMA_COMPLETION_TASKLET);
}

int main(int argc, char **argv)
{
	unsigned long copies = 20000;
	bool do_measure = false;
	struct device *dev;
	dma_cap_mask_t mask;
	int ret = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--copies") && i + 1 < argc) {
			copies = strtoul(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--measure")) {
			do_measure = true;
		} else {
			fprintf(stderr, "usage: %s [--copies N] [--measure]\n", argv[0]);
			return 2;
		}
	}
	loop_thread = pthread_self();
	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	chan = dma_request_channel(mask, NULL, NULL);
	if (!chan) {
		fprintf(stderr, "epoll-client: no DMA_MEMCPY channel\n");
		return 1;
	}
	slots = calloc(SLOTS, sizeof(*slots));
	if (!slots)
		return 1;
	dev = dmaengine_get_dma_device(chan);
	for (int k = 0; k < SLOTS; k++) {
		slots[k].src_dma = dma_map_single(dev, slots[k].src, MAX_LEN, DMA_TO_DEVICE);
		slots[k].dst_dma = dma_map_single(dev, slots[k].dst, MAX_LEN, DMA_FROM_DEVICE);
	}
	if (do_measure) {
		measure();
	} else if (udma_chan_set_completion_mode(chan, UDMA_COMPLETION_EVENTFD)) {
		fprintf(stderr, "epoll-client: the channel has no eventfd mode\n");
		ret = 1;
	} else {
		ret = run_loop(copies);
	}
	for (int k = 0; k < SLOTS; k++) {
		dma_unmap_single(dev, slots[k].src_dma, MAX_LEN, DMA_TO_DEVICE);
		dma_unmap_single(dev, slots[k].dst_dma, MAX_LEN, DMA_FROM_DEVICE);
	}
	dma_release_channel(chan);
	free(slots);
	return ret;
}
