/*
 * The body case's second floor: a C client that reads the way libuv reads for Node, with nothing of
 * Node around it (argv: PORT PATH CONNECTIONS SECONDS). One epoll loop (level-triggered, up to 1024
 * events a turn, as libuv asks for); on a readable socket, reads of 16 KiB into one buffer (64 KiB
 * after a read that filled it while more than 1 MiB of the body is still to come, as pystress-tui's
 * client asks Node for), at most 32 a turn and no more after a short one (libuv's uv__read); finds
 * each response's Content-Length, counts its body and writes the next request at once, from the read
 * that ends the response, as pystress-tui's socket client does. wrk reads 8 KiB at a time until
 * FIONREAD says the socket is empty and writes the next request on the next turn; this is the other
 * way, in C.
 *
 * Beside the bare Node reader (bare-reader.ts: the same pattern, in Node), it splits the gap between
 * ours and wrk into what the pattern costs nginx and what Node's own time per read costs it.
 * Prints `REQUESTS BYTES SECONDS`: responses completed, body bytes read, time from the first connect.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

enum { readSize = 16 * 1024, streamingReadSize = 64 * 1024, readsPerTurn = 32, maxEvents = 1024, headMax = 4096 };

typedef struct {
	int fd;
	/* Body bytes still to come; -1 while reading a head. */
	long remaining;
	char head[headMax];
	size_t headLength;
} Connection;

static double now(void) {
	struct timespec time;
	clock_gettime(CLOCK_MONOTONIC, &time);
	return (double)time.tv_sec + (double)time.tv_nsec / 1e9;
}

static void fail(const char *what) {
	perror(what);
	exit(1);
}

static void die(const char *what) {
	fprintf(stderr, "c-reader: %s\n", what);
	exit(1);
}

static void sendAll(int fd, const char *bytes, size_t length) {
	/* A 50-byte request into an empty send buffer: the kernel takes it whole. */
	if (write(fd, bytes, length) != (ssize_t)length) fail("c-reader: write");
}

int main(int argc, char **argv) {
	if (argc != 5) {
		fprintf(stderr, "usage: c-reader PORT PATH CONNECTIONS SECONDS\n");
		return 2;
	}

	const int port = atoi(argv[1]);
	const int count = atoi(argv[3]);
	const double seconds = atof(argv[4]);
	char request[512];
	const int requestLength = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n", argv[2], port);
	char *buffer = malloc(streamingReadSize);
	size_t size = readSize;
	Connection *connections = calloc((size_t)count, sizeof(Connection));
	struct epoll_event *events = calloc(maxEvents, sizeof(struct epoll_event));
	const int poll = epoll_create1(0);
	if (!buffer || !connections || !events || poll < 0) fail("c-reader: setup");

	const double started = now();
	for (int index = 0; index < count; index++) {
		const int fd = socket(AF_INET, SOCK_STREAM, 0);
		const int on = 1;
		struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
		inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
		if (fd < 0 || setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) != 0) fail("c-reader: socket");
		if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) fail("c-reader: connect");
		fcntl(fd, F_SETFL, O_NONBLOCK);
		connections[index] = (Connection){.fd = fd, .remaining = -1};
		sendAll(fd, request, (size_t)requestLength);
		struct epoll_event event = {.events = EPOLLIN, .data.u32 = (uint32_t)index};
		if (epoll_ctl(poll, EPOLL_CTL_ADD, fd, &event) != 0) fail("c-reader: epoll_ctl");
	}

	long long completed = 0;
	long long bodyBytes = 0;
	const double stopAt = started + seconds;
	for (double time = now(); time < stopAt; time = now()) {
		const int ready = epoll_wait(poll, events, maxEvents, (int)((stopAt - time) * 1000) + 1);
		for (int event = 0; event < ready; event++) {
			Connection *connection = &connections[events[event].data.u32];
			for (int reads = 0; reads < readsPerTurn; reads++) {
				const ssize_t length = read(connection->fd, buffer, size);
				if (length <= 0) break;
				ssize_t offset = 0;
				while (offset < length) {
					if (connection->remaining < 0) {
						/* Heads are small: gather until the blank line, then take Content-Length. */
						size_t take = (size_t)(length - offset);
						if (take > headMax - 1 - connection->headLength) take = headMax - 1 - connection->headLength;
						memcpy(connection->head + connection->headLength, buffer + offset, take);
						connection->head[connection->headLength + take] = '\0';
						const char *end = strstr(connection->head, "\r\n\r\n");
						if (!end) {
							if (take == 0) die("a response head over 4 KiB");
							connection->headLength += take;
							offset += (ssize_t)take;
							continue;
						}

						const char *contentLength = strcasestr(connection->head, "\r\ncontent-length:");
						if (!contentLength) die("a response without Content-Length");
						connection->remaining = atol(contentLength + strlen("\r\ncontent-length:"));
						offset += (ssize_t)((size_t)(end + 4 - connection->head) - connection->headLength);
						connection->headLength = 0;
					}

					long take = (long)(length - offset);
					if (take > connection->remaining) take = connection->remaining;
					connection->remaining -= take;
					bodyBytes += take;
					offset += take;
					if (connection->remaining == 0) {
						connection->remaining = -1;
						completed++;
						sendAll(connection->fd, request, (size_t)requestLength);
					}
				}

				const int filled = (size_t)length == size;
				size = filled && connection->remaining > 1024 * 1024 ? streamingReadSize : readSize;
				if (!filled) break;
			}
		}
	}

	printf("%lld %lld %f\n", completed, bodyBytes, now() - started);
	return 0;
}
