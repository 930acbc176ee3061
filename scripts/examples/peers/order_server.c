/* order_server: the C side of the tour's chapter on structs
 * (scripts/examples/24-c-struct.ipc).
 *
 *   order_server QID
 *
 * A SysV message-queue server. It opens nothing and creates nothing: QID
 * is the IPC id of a queue its caller made, and every order names, by id,
 * the private queue its answer goes to. So whoever started the server
 * owns every queue, and the server cannot leave one behind.
 *
 * Messages on QID:
 *   type 1  an order: struct order; the answer is a struct invoice of
 *           type 1 on the queue order.reply_qid
 *   type 2  quit: exit 0
 * Any other message, or one that is not exactly a struct order, is
 * ignored. When QID is removed (msgrcv: EIDRM while waiting, EINVAL
 * after), the server exits 0 too. It prints its structs' layout once, then one line
 * per order, on stdout.
 *
 * Build: cc -o order_server order_server.c
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/msg.h>

enum { ORDER = 1, QUIT = 2 };
enum { OK = 0, UNKNOWN_ITEM = 1, OVER_LIMIT = 2 };

/* The message text of an order: what follows mtype. The compiler puts 2
 * bytes of padding before max_cents (an int64_t starts at a multiple of
 * 8) and 6 after qty (the size is a multiple of the largest alignment). */
struct order {
	int32_t reply_qid;  /* the client's queue, by IPC id */
	char item[10];      /* NUL-padded */
	int64_t max_cents;  /* the most the client will pay */
	uint16_t qty;
};

struct invoice {
	int64_t total_cents;
	int32_t order_no;   /* this server's count of orders */
	uint8_t status;     /* OK, UNKNOWN_ITEM or OVER_LIMIT */
};

/* msgsnd and msgrcv take a long mtype followed by the text; their size
 * argument is the size of the text alone. */
struct order_msg {
	long mtype;
	struct order o;
};

struct invoice_msg {
	long mtype;
	struct invoice inv;
};

static const struct {
	const char *item;
	int64_t cents;
} prices[] = {
	{"apple", 35},
	{"bread", 250},
	{"cheese", 720},
};

static int64_t price(const char *item) {
	for (size_t i = 0; i < sizeof prices / sizeof prices[0]; i++)
		if (strcmp(prices[i].item, item) == 0)
			return prices[i].cents;
	return -1;
}

int main(int argc, char **argv) {
	char *end;
	long qid = argc == 2 ? strtol(argv[1], &end, 10) : -1;
	if (argc != 2 || *argv[1] == '\0' || *end != '\0' || qid < 0) {
		fprintf(stderr, "usage: order_server QID (the IPC id of a SysV message queue)\n");
		return 2;
	}
	/* stdout is a pipe to whoever reads our lines: a line at a time. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("struct order: %zu bytes: reply_qid at %zu, item at %zu, max_cents at %zu, qty at %zu\n",
	       sizeof(struct order), offsetof(struct order, reply_qid), offsetof(struct order, item),
	       offsetof(struct order, max_cents), offsetof(struct order, qty));
	printf("struct invoice: %zu bytes: total_cents at %zu, order_no at %zu, status at %zu\n",
	       sizeof(struct invoice), offsetof(struct invoice, total_cents),
	       offsetof(struct invoice, order_no), offsetof(struct invoice, status));

	int32_t served = 0;
	for (;;) {
		struct order_msg m;
		ssize_t n = msgrcv((int)qid, &m, sizeof m.o, 0, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == E2BIG) {
				/* Longer than an order: it stays first in the queue
				 * until taken, so take it, cut short, and ignore it. */
				if (msgrcv((int)qid, &m, sizeof m.o, 0, MSG_NOERROR) >= 0)
					printf("ignored: type %ld, longer than an order (%zu bytes)\n",
					       m.mtype, sizeof m.o);
				continue;
			}
			if (errno == EIDRM || errno == EINVAL) {
				/* EIDRM: removed while we waited; EINVAL: before we
				 * asked. Which one is a matter of timing. */
				printf("the order queue is gone: exiting\n");
				return 0;
			}
			perror("order_server: msgrcv");
			return 1;
		}
		if (m.mtype == QUIT) {
			printf("quit after %d orders\n", served);
			return 0;
		}
		if (m.mtype != ORDER || n != (ssize_t)sizeof m.o) {
			/* Without a whole struct there is no reply_qid to trust. */
			printf("ignored: type %ld, %zd bytes (an order is type %d, %zu bytes)\n",
			       m.mtype, n, ORDER, sizeof m.o);
			continue;
		}
		char item[sizeof m.o.item + 1];
		memcpy(item, m.o.item, sizeof m.o.item);
		item[sizeof m.o.item] = '\0';

		/* memset, not an initializer: it zeroes the padding too, which
		 * would otherwise be whatever the stack held, sent as it is. */
		struct invoice_msg r;
		memset(&r, 0, sizeof r);
		r.mtype = 1;
		r.inv.order_no = ++served;
		int64_t each = price(item);
		if (each < 0) {
			r.inv.status = UNKNOWN_ITEM;
		} else {
			r.inv.total_cents = each * m.o.qty;
			r.inv.status = r.inv.total_cents > m.o.max_cents ? OVER_LIMIT : OK;
		}
		printf("order %d: %u x %s, at most %lld cents: total %lld, status %u\n",
		       r.inv.order_no, (unsigned)m.o.qty, item, (long long)m.o.max_cents,
		       (long long)r.inv.total_cents, (unsigned)r.inv.status);
		if (msgsnd(m.o.reply_qid, &r, sizeof r.inv, 0) != 0)
			/* The client's queue went away: its loss, not ours. */
			perror("order_server: msgsnd to the reply queue");
	}
}
