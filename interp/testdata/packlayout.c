/*
 * The C side of TestPackLayoutMatchesC: structs as C programs that talk to
 * ipcsh would declare them, laid out by this machine's C compiler. For each
 * one it prints a line
 *
 *   NAME SIZE OFF,OFF,... HEXBYTES
 *
 * with sizeof, the offsetof of every member that carries a value (padding
 * members are left out, as xN takes no value), and the bytes of an
 * instance holding the values the Go test packs. Fixed-order fields are
 * stored the way a C program does it, through htobeNN/htoleNN.
 *
 * Each struct is zeroed with memset before its members are set, so that
 * its padding bytes are NUL as pack's are.
 */
#define _DEFAULT_SOURCE
#include <endian.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void show(const char *name, size_t size, const size_t *offs, int n, const void *p)
{
	const unsigned char *b = p;
	printf("%s %zu ", name, size);
	for (int i = 0; i < n; i++)
		printf("%s%zu", i ? "," : "", offs[i]);
	printf(" ");
	for (size_t i = 0; i < size; i++)
		printf("%02x", b[i]);
	printf("\n");
}

#define OFFS(...) size_t offs[] = {__VA_ARGS__}
#define SHOW(name, v) show(name, sizeof(v), offs, sizeof(offs) / sizeof(offs[0]), &(v))

/* "i32 i64": the language's own example, 4 bytes of padding inside. */
struct example { int32_t a; int64_t b; };

/* "a:i8 b:i32 c:i16 d:i64": every size, every gap different. */
struct mixed { int8_t a; int32_t b; int16_t c; int64_t d; };

/* "a:i64 b:u8": tail padding to the alignment of the i64. */
struct tail { int64_t a; uint8_t b; };

/* "a:u8 b:u16 c:u8": tail padding of one byte, to the u16. */
struct shorts { uint8_t a; uint16_t b; uint8_t c; };

/* "a:s3 b:i16 c:s1 d:i64 e:u8": text fields align to 1, and padding
 * after padding: 3→4 for b, 7→8 for d, tail 17→24. */
struct text { char a[3]; int16_t b; char c[1]; int64_t d; uint8_t e; };

/* "id:u32 name:s10 n:i16": a request with a name, as a C client sends. */
struct request { uint32_t id; char name[10]; int16_t n; };

/* "a:u8 x3 b:u32 x1 c:u16": explicit padding members. */
struct pad { uint8_t a; char _p1[3]; uint32_t b; char _p2[1]; uint16_t c; };

/* "a:u32 b:u8 x2": padding at the end, then tail padding to 8. */
struct padend { uint32_t a; uint8_t b; char _p[2]; };

/* "a:u64 b:i64 c:u32 d:i16 e:i8": a u64 with its high bit set, and the
 * most negative ints. */
struct extremes { uint64_t a; int64_t b; uint32_t c; int16_t d; int8_t e; };

/* "a:u16be b:u32le c:i64be d:u8 e:i32be": fixed orders align like their
 * base types. */
struct endian { uint16_t a; uint32_t b; int64_t c; uint8_t d; int32_t e; };

/* "packed a:u8 b:u32 c:u16 d:u64": no alignment, no tail padding. */
struct __attribute__((packed)) packed { uint8_t a; uint32_t b; uint16_t c; uint64_t d; };

/* "packed a:u8 b:u64be c:i16le d:s3": packed with fixed orders. */
struct __attribute__((packed)) packedend { uint8_t a; uint64_t b; int16_t c; char d[3]; };

/* "a:u8 b:s3": chars only: size 4, no padding at all. */
struct chars { uint8_t a; char b[3]; };

int main(void)
{
	{
		struct example v; memset(&v, 0, sizeof v);
		v.a = 1; v.b = 2;
		OFFS(offsetof(struct example, a), offsetof(struct example, b));
		SHOW("example", v);
	}
	{
		struct mixed v; memset(&v, 0, sizeof v);
		v.a = -1; v.b = -100000; v.c = 300; v.d = -5000000000LL;
		OFFS(offsetof(struct mixed, a), offsetof(struct mixed, b), offsetof(struct mixed, c), offsetof(struct mixed, d));
		SHOW("mixed", v);
	}
	{
		struct tail v; memset(&v, 0, sizeof v);
		v.a = 0x0102030405060708LL; v.b = 255;
		OFFS(offsetof(struct tail, a), offsetof(struct tail, b));
		SHOW("tail", v);
	}
	{
		struct shorts v; memset(&v, 0, sizeof v);
		v.a = 7; v.b = 65535; v.c = 9;
		OFFS(offsetof(struct shorts, a), offsetof(struct shorts, b), offsetof(struct shorts, c));
		SHOW("shorts", v);
	}
	{
		struct text v; memset(&v, 0, sizeof v);
		memcpy(v.a, "ab", 2); v.b = -2; memcpy(v.c, "z", 1); v.d = 42; v.e = 128;
		OFFS(offsetof(struct text, a), offsetof(struct text, b), offsetof(struct text, c), offsetof(struct text, d), offsetof(struct text, e));
		SHOW("text", v);
	}
	{
		struct request v; memset(&v, 0, sizeof v);
		v.id = 4000000000U; memcpy(v.name, "a\0b", 3); v.n = -32768;
		OFFS(offsetof(struct request, id), offsetof(struct request, name), offsetof(struct request, n));
		SHOW("request", v);
	}
	{
		struct pad v; memset(&v, 0, sizeof v);
		v.a = 1; v.b = 2; v.c = 3;
		OFFS(offsetof(struct pad, a), offsetof(struct pad, b), offsetof(struct pad, c));
		SHOW("pad", v);
	}
	{
		struct padend v; memset(&v, 0, sizeof v);
		v.a = 0xdeadbeef; v.b = 0x7f;
		OFFS(offsetof(struct padend, a), offsetof(struct padend, b));
		SHOW("padend", v);
	}
	{
		struct extremes v; memset(&v, 0, sizeof v);
		v.a = 0x8000000000000001ULL; v.b = INT64_MIN; v.c = UINT32_MAX; v.d = INT16_MIN; v.e = INT8_MIN;
		OFFS(offsetof(struct extremes, a), offsetof(struct extremes, b), offsetof(struct extremes, c), offsetof(struct extremes, d), offsetof(struct extremes, e));
		SHOW("extremes", v);
	}
	{
		struct endian v; memset(&v, 0, sizeof v);
		v.a = htobe16(0x0102); v.b = htole32(0x03040506); v.c = (int64_t)htobe64((uint64_t)-3); v.d = 0xaa; v.e = (int32_t)htobe32((uint32_t)-123456);
		OFFS(offsetof(struct endian, a), offsetof(struct endian, b), offsetof(struct endian, c), offsetof(struct endian, d), offsetof(struct endian, e));
		SHOW("endian", v);
	}
	{
		struct packed v; memset(&v, 0, sizeof v);
		v.a = 1; v.b = 0x01020304; v.c = 0xfffe; v.d = 0xffffffffffffffffULL;
		OFFS(offsetof(struct packed, a), offsetof(struct packed, b), offsetof(struct packed, c), offsetof(struct packed, d));
		SHOW("packed", v);
	}
	{
		struct packedend v; memset(&v, 0, sizeof v);
		v.a = 200; v.b = htobe64(0x8000000000000000ULL); v.c = (int16_t)htole16((uint16_t)-300); memcpy(v.d, "xyz", 3);
		OFFS(offsetof(struct packedend, a), offsetof(struct packedend, b), offsetof(struct packedend, c), offsetof(struct packedend, d));
		SHOW("packedend", v);
	}
	{
		struct chars v; memset(&v, 0, sizeof v);
		v.a = 'A'; memcpy(v.b, "hi", 2);
		OFFS(offsetof(struct chars, a), offsetof(struct chars, b));
		SHOW("chars", v);
	}
	return 0;
}
