/* SPDX-License-Identifier: MIT */
/*
 * raid6 - stripe a real file over N data blocks + P + Q with
 * async_gen_syndrome(), erase two blocks of every stripe, rebuild them with
 * async_raid6_2data_recov() / async_raid6_datap_recov() (data + Q: async_xor
 * then async_gen_syndrome; P + Q: async_gen_syndrome), check the result byte
 * for byte against the file, and report MB/s next to plain ISA-L on the same
 * data (pq_gen for generate; gf_invert_matrix + ec_encode_data for recover).
 *
 *   raid6 [--data N] [--chunk BYTES] [--iterations K] [--cpu] FILE
 *   raid6 --make-input FILE BYTES      (writes pseudo-random test input)
 *
 * MB/s counts the file bytes a pass covers (N x chunk per stripe), 10^6
 * bytes per MB, best of K passes. --cpu runs async_tx without the public
 * pool (its synchronous ISA-L fallback). Exit status 0 when every rebuild
 * matched the file.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <isa-l/erasure_code.h>
#include <isa-l/raid.h>
#include <udmaengine/async_tx.h>

#define MAX_DATA 14

static int nd = 6;                 /* data blocks per stripe */
static size_t chunk = 64 * 1024;   /* bytes per block */
static int iterations = 3;
static size_t nstripes;
static unsigned char *mem;          /* nstripes x (nd + 2) blocks */
static unsigned char *file_data;
static size_t file_size;

static pthread_mutex_t mx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static long ndone, nfailed;

static unsigned char *blk(size_t s, int i)
{
	return mem + (s * (size_t)(nd + 2) + (size_t)i) * chunk;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_done(void *p, const struct dmaengine_result *r)
{
	(void)p;
	pthread_mutex_lock(&mx);
	ndone++;
	nfailed += r->result != DMA_TRANS_NOERROR;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mx);
}

static int wait_all(long want)
{
	struct timespec dl;
	int rc = 0;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 60;
	pthread_mutex_lock(&mx);
	while (ndone < want && rc == 0)
		rc = pthread_cond_timedwait(&cv, &mx, &dl);
	rc = ndone < want ? -ETIMEDOUT : (nfailed ? -EIO : 0);
	ndone = nfailed = 0;
	pthread_mutex_unlock(&mx);
	return rc;
}

static void submit_init(struct async_submit_ctl *s, struct dma_async_tx_descriptor *dep,
			bool last)
{
	init_async_submit(s, last ? ASYNC_TX_ACK : 0, dep, NULL, NULL, NULL);
	if (last)
		s->udma_cb_result = on_done;
}

static void stripe_pages(size_t s, struct page **pg)
{
	for (int i = 0; i < nd + 2; i++)
		pg[i] = virt_to_page(blk(s, i));
}

/* One pass of an async_tx operation over every stripe; seconds or -1. */
static double pass(int what, int a, int b)
{
	double t0 = now();

	for (size_t s = 0; s < nstripes; s++) {
		struct page *pg[MAX_DATA + 2];
		struct async_submit_ctl sub;

		stripe_pages(s, pg);
		if (what == 0 || (a >= nd && b >= nd)) {        /* generate / P+Q */
			submit_init(&sub, NULL, true);
			async_gen_syndrome(pg, NULL, nd + 2, chunk, &sub);
		} else if (b < nd) {                           /* two data */
			submit_init(&sub, NULL, true);
			async_raid6_2data_recov(nd + 2, chunk, a, b, pg, NULL, &sub);
		} else if (b == nd) {                          /* data + P */
			submit_init(&sub, NULL, true);
			async_raid6_datap_recov(nd + 2, chunk, a, pg, NULL, &sub);
		} else {                                       /* data + Q */
			struct page *src[MAX_DATA + 1];
			struct dma_async_tx_descriptor *tx;
			int k = 0;

			for (int i = 0; i <= nd; i++)
				if (i != a)
					src[k++] = pg[i];
			init_async_submit(&sub, ASYNC_TX_XOR_ZERO_DST, NULL, NULL, NULL, NULL);
			tx = async_xor(pg[a], src, 0, k, chunk, &sub);
			submit_init(&sub, tx, true);
			async_gen_syndrome(pg, NULL, nd + 2, chunk, &sub);
		}
	}
	async_tx_issue_pending_all();
	if (wait_all((long)nstripes)) {
		fprintf(stderr, "raid6: an operation failed or timed out\n");
		return -1;
	}
	return now() - t0;
}

/* Plain ISA-L: P and Q of every stripe. */
static double isal_generate(void)
{
	double t0 = now();

	for (size_t s = 0; s < nstripes; s++) {
		void *arr[MAX_DATA + 2];

		for (int i = 0; i < nd + 2; i++)
			arr[i] = blk(s, i);
		pq_gen(nd + 2, (int)chunk, arr);
	}
	return now() - t0;
}

/* Plain ISA-L recovery: invert the surviving rows of the RAID-6 generator
 * matrix (identity, P = ones, Q = {02}^i) and decode with ec_encode_data. */
static double isal_recover(int a, int b)
{
	unsigned char enc[(MAX_DATA + 2) * MAX_DATA], sub[MAX_DATA * MAX_DATA];
	unsigned char inv[MAX_DATA * MAX_DATA], dec[2 * MAX_DATA], g = 1;
	unsigned char tbl[32 * MAX_DATA * 2];
	int lost[2] = { a, b }, nl = 0, rows[MAX_DATA], k = 0;
	double t0;

	memset(enc, 0, sizeof(enc));
	for (int i = 0; i < nd; i++) {
		enc[i * nd + i] = 1;
		enc[nd * nd + i] = 1;
		enc[(nd + 1) * nd + i] = g;
		g = gf_mul(g, 2);
	}
	for (int r = 0; r < nd + 2 && k < nd; r++)
		if (r != a && r != b)
			rows[k++] = r;
	for (int i = 0; i < nd; i++)
		memcpy(&sub[i * nd], &enc[rows[i] * nd], (size_t)nd);
	if (gf_invert_matrix(sub, inv, nd))
		return -1;
	for (int l = 0; l < 2; l++) {
		/* lost row = enc[lost] x inv (data rows of inv for data blocks) */
		for (int j = 0; j < nd; j++) {
			unsigned char v = 0;

			for (int i = 0; i < nd; i++)
				v ^= gf_mul(enc[lost[l] * nd + i], inv[i * nd + j]);
			dec[nl * nd + j] = v;
		}
		nl++;
	}
	ec_init_tables(nd, nl, dec, tbl);
	t0 = now();
	for (size_t s = 0; s < nstripes; s++) {
		unsigned char *src[MAX_DATA], *out[2];

		for (int i = 0; i < nd; i++)
			src[i] = blk(s, rows[i]);
		out[0] = blk(s, a);
		out[1] = blk(s, b);
		ec_encode_data((int)chunk, nd, nl, tbl, src, out);
	}
	return now() - t0;
}

static void load(void)
{
	for (size_t s = 0; s < nstripes; s++)
		for (int i = 0; i < nd; i++) {
			size_t off = (s * (size_t)nd + (size_t)i) * chunk;
			size_t n = off >= file_size ? 0 :
				   (file_size - off < chunk ? file_size - off : chunk);

			memset(blk(s, i), 0, chunk);
			memcpy(blk(s, i), file_data + off, n);
		}
}

static unsigned char *saved_pq;

static void save_pq(void)
{
	for (size_t s = 0; s < nstripes; s++)
		memcpy(saved_pq + s * 2 * chunk, blk(s, nd), 2 * chunk);
}

/* Byte-for-byte: data blocks against the file, P/Q against the saved ones. */
static bool verify(void)
{
	for (size_t s = 0; s < nstripes; s++) {
		for (int i = 0; i < nd; i++) {
			size_t off = (s * (size_t)nd + (size_t)i) * chunk;
			size_t n = off >= file_size ? 0 :
				   (file_size - off < chunk ? file_size - off : chunk);

			if (memcmp(blk(s, i), file_data + off, n))
				return false;
		}
		if (memcmp(blk(s, nd), saved_pq + s * 2 * chunk, 2 * chunk))
			return false;
	}
	return true;
}

static void erase(int a, int b)
{
	for (size_t s = 0; s < nstripes; s++) {
		memset(blk(s, a), 0xee, chunk);
		memset(blk(s, b), 0xee, chunk);
	}
}

static const char *name(int i, char *buf)
{
	if (i == nd)
		return "P";
	if (i == nd + 1)
		return "Q";
	sprintf(buf, "D%d", i);
	return buf;
}

static int make_input(const char *path, const char *bytes)
{
	FILE *f = fopen(path, "wb");
	unsigned long n = strtoul(bytes, NULL, 0);
	unsigned int x = 12345;

	if (!f) {
		perror(path);
		return 1;
	}
	for (unsigned long i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		fputc((int)(x >> 16) & 0xff, f);
	}
	return fclose(f) ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'n' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "iterations", required_argument, NULL, 'i' },
		{ "cpu", no_argument, NULL, 'C' },
		{ "make-input", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	static const int pairs[][2] = { { 0, 1 }, { 1, -2 }, { 2, -1 }, { -2, -1 } };
	bool cpu = false, ok = true;
	double data_mb;
	FILE *f;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n': nd = atoi(optarg); break;
		case 'c': chunk = strtoul(optarg, NULL, 0); break;
		case 'i': iterations = atoi(optarg); break;
		case 'C': cpu = true; break;
		case 'm': return optind < argc ? make_input(optarg, argv[optind]) : 2;
		default: return 2;
		}
	}
	if (optind != argc - 1 || nd < 3 || nd > MAX_DATA || !chunk || chunk % 4096 ||
	    iterations < 1) {
		fprintf(stderr, "usage: raid6 [--data 3..%d] [--chunk N*4096] [--iterations K] "
			"[--cpu] FILE\n       raid6 --make-input FILE BYTES\n", MAX_DATA);
		return 2;
	}
	f = fopen(argv[optind], "rb");
	if (!f || fseek(f, 0, SEEK_END) || (long)(file_size = (size_t)ftell(f)) < 0) {
		perror(argv[optind]);
		return 1;
	}
	rewind(f);
	file_data = malloc(file_size ? file_size : 1);
	if (!file_data || fread(file_data, 1, file_size, f) != file_size) {
		perror("read");
		return 1;
	}
	fclose(f);
	nstripes = (file_size + (size_t)nd * chunk - 1) / ((size_t)nd * chunk);
	if (!nstripes)
		nstripes = 1;
	mem = aligned_alloc(PAGE_SIZE, nstripes * (size_t)(nd + 2) * chunk);
	saved_pq = malloc(nstripes * 2 * chunk);
	if (!mem || !saved_pq) {
		fprintf(stderr, "raid6: out of memory\n");
		return 1;
	}
	data_mb = (double)nstripes * nd * chunk / 1e6;
	if (!cpu)
		dmaengine_get();
	printf("raid6: %s, %zu bytes, %d data + P + Q, chunk %zu, %zu stripes, %s\n",
	       argv[optind], file_size, nd, chunk, nstripes,
	       cpu ? "async_tx CPU path (no public pool)" :
	       dma_find_channel(DMA_PQ) ? "async_tx offload (public pool)" :
	       "async_tx (no PQ channel: CPU path)");

	load();
	{
		double best = 1e9, ref = 1e9;

		for (int it = 0; it < iterations; it++) {
			double t = pass(0, 0, 0);

			if (t < 0)
				return 1;
			best = t < best ? t : best;
		}
		save_pq();
		for (int it = 0; it < iterations; it++) {
			double t = isal_generate();

			ref = t < ref ? t : ref;
		}
		ok = verify(); /* ISA-L's P/Q equal ours */
		printf("generate        : async_tx %9.1f MB/s   ISA-L pq_gen %9.1f MB/s   %s\n",
		       data_mb / best, data_mb / ref, ok ? "P/Q match" : "P/Q MISMATCH");
	}
	for (size_t p = 0; p < sizeof(pairs) / sizeof(pairs[0]); p++) {
		int a = pairs[p][0] < 0 ? nd + 2 + pairs[p][0] : pairs[p][0];
		int b = pairs[p][1] < 0 ? nd + 2 + pairs[p][1] : pairs[p][1];
		double best = 1e9, ref = 1e9;
		char n1[16], n2[16];
		bool good = true;

		for (int it = 0; it < iterations; it++) {
			double t;

			erase(a, b);
			t = pass(1, a, b);
			if (t < 0)
				return 1;
			best = t < best ? t : best;
			good = good && verify();
		}
		for (int it = 0; it < iterations; it++) {
			double t;

			erase(a, b);
			t = isal_recover(a, b);
			ref = t < ref ? t : ref;
			good = good && verify();
		}
		printf("recover %-3s+ %-3s: async_tx %9.1f MB/s   ISA-L decode %9.1f MB/s   %s\n",
		       name(a, n1), name(b, n2), data_mb / best, data_mb / ref,
		       good ? "verified" : "MISMATCH");
		ok = ok && good;
	}
	if (!cpu)
		dmaengine_put();
	free(mem);
	free(saved_pq);
	free(file_data);
	printf("raid6: %s\n", ok ? "all rebuilt blocks match the file" : "FAILED");
	return ok ? 0 : 1;
}
