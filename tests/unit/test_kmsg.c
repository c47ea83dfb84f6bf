/* SPDX-License-Identifier: Apache-2.0 */
/* Kernel-log records (src/events/kmsg.c): the parser, on lines as Linux 6.x prints them. */
#include "unit.h"

#include <linux/audit.h>

#include "tj/events/kmsg.h"

static enum tj_kmsg_kind parse(const char *line, struct tj_kmsg_record *r, uint64_t *count)
{
	return tj_kmsg_parse(line, strlen(line), r, count);
}

/* A record read from /dev/kmsg on the development machine, verbatim. */
static const char kmsg_record[] =
	"5,12530,5017757309,-;audit: type=1326 audit(1795454459.428:12530): auid=4294967295 uid=0 gid=0 "
	"ses=4294967295 pid=19828 comm=\"probe\" exe=\"/work/wt-issue6/build/probe\" sig=0 arch=c000003e "
	"syscall=41 compat=0 ip=0x43e5c9 code=0x7ffc0000\n SUBSYSTEM=audit\n";

static void test_seccomp_record(void **state)
{
	(void)state;
	struct tj_kmsg_record r;
	assert_int_equal(parse(kmsg_record, &r, NULL), TJ_KMSG_SECCOMP);
	assert_int_equal(r.type, TJ_AUDIT_SECCOMP);
	assert_int_equal(r.serial, 12530);
	assert_int_equal(r.pid, 19828);
	assert_string_equal(r.comm, "probe");
	assert_int_equal(r.arch, AUDIT_ARCH_X86_64);
	assert_int_equal(r.nr, 41);
	assert_int_equal(r.ip, 0x43e5c9);
	assert_int_equal(r.code, 0x7ffc0000u);
	assert_int_equal(r.sig, 0);
}

static void test_dmesg_forms(void **state)
{
	(void)state;
	struct tj_kmsg_record r;
	/* As dmesg prints it, and bare; a kill record with its signal. */
	const char *dmesg = "[ 3495.636538] audit: type=1326 audit(1795452937.308:7458): auid=4294967295 uid=0 gid=0 "
			    "ses=4294967295 pid=24675 comm=\"probe\" exe=\"/w/probe\" sig=31 arch=c000003e syscall=101 "
			    "compat=0 ip=0x43e5c9 code=0x80000000";
	assert_int_equal(parse(dmesg, &r, NULL), TJ_KMSG_SECCOMP);
	assert_int_equal(r.serial, 7458);
	assert_int_equal(r.pid, 24675);
	assert_int_equal(r.nr, 101);
	assert_int_equal(r.sig, 31);
	assert_int_equal(r.code, 0x80000000u);
	assert_int_equal(parse(dmesg + 15, &r, NULL), TJ_KMSG_SECCOMP);
	assert_int_equal(r.pid, 24675);
	/* An i386 call. */
	const char *x86 = "audit: type=1326 audit(1.2:3): pid=7 comm=\"a\" sig=0 arch=40000003 syscall=26 compat=1 "
			  "ip=0x8049000 code=0x7ffc0000";
	assert_int_equal(parse(x86, &r, NULL), TJ_KMSG_SECCOMP);
	assert_int_equal(r.arch, AUDIT_ARCH_I386);
	assert_int_equal(r.serial, 3);
}

static void test_comm_encodings(void **state)
{
	(void)state;
	struct tj_kmsg_record r;
	/* A name with a space is hex-encoded (audit_log_untrustedstring). */
	const char *hex = "audit: type=1326 audit(1.0:9): pid=5 comm=6D7920617070 exe=\"/x\" sig=0 arch=c000003e "
			  "syscall=1 compat=0 ip=0x1 code=0x7ffc0000";
	assert_int_equal(parse(hex, &r, NULL), TJ_KMSG_SECCOMP);
	assert_string_equal(r.comm, "my app");
	/* A quoted exe with a space, and a key that only ends like "pid". */
	const char *q = "audit: type=1326 audit(1.0:10): ppid=77 pid=6 comm=\"b\" exe=\"/a b/c pid=99\" sig=0 "
			"arch=c000003e syscall=2 compat=0 ip=0x1 code=0x7ffc0000";
	assert_int_equal(parse(q, &r, NULL), TJ_KMSG_SECCOMP);
	assert_int_equal(r.pid, 6);
	assert_string_equal(r.comm, "b");
	/* comm longer than 16 bytes is cut, never overflowed. */
	const char *lng = "audit: type=1326 audit(1.0:11): pid=6 comm=\"aaaaaaaaaaaaaaaaaaaaaaaaa\" sig=0 arch=c000003e "
			  "syscall=2 compat=0 ip=0x1 code=0x7ffc0000";
	assert_int_equal(parse(lng, &r, NULL), TJ_KMSG_SECCOMP);
	assert_int_equal(strlen(r.comm), 16);
}

static void test_loss_lines(void **state)
{
	(void)state;
	struct tj_kmsg_record r;
	uint64_t n = 0;
	assert_int_equal(parse("4,99,1,-;kauditd_printk_skb: 10 callbacks suppressed", &r, &n), TJ_KMSG_SUPPRESSED);
	assert_int_equal(n, 10);
	assert_int_equal(parse("[ 1.0] kauditd_printk_skb: 23 callbacks suppressed", &r, &n), TJ_KMSG_SUPPRESSED);
	assert_int_equal(n, 23);
	/* Other functions' suppressions are not audit losses. */
	assert_int_equal(parse("show_signal_msg: 52 callbacks suppressed", &r, &n), TJ_KMSG_OTHER);
	assert_int_equal(parse("audit: audit_lost=5 audit_rate_limit=0 audit_backlog_limit=64", &r, &n),
			 TJ_KMSG_AUDIT_LOST);
	assert_int_equal(parse("audit: audit_backlog=65 > audit_backlog_limit=64", &r, &n), TJ_KMSG_OTHER);
	assert_int_equal(parse("audit: backlog limit exceeded", &r, &n), TJ_KMSG_AUDIT_LOST);
	assert_int_equal(parse("audit: kauditd hold queue overflow", &r, &n), TJ_KMSG_AUDIT_LOST);
}

static void test_other_lines(void **state)
{
	(void)state;
	struct tj_kmsg_record r;
	/* Another audit type: its serial still counts for the gap check. */
	assert_int_equal(parse("audit: type=1400 audit(1.0:42): apparmor=\"DENIED\" pid=1", &r, NULL), TJ_KMSG_AUDIT);
	assert_int_equal(r.type, 1400);
	assert_int_equal(r.serial, 42);
	assert_int_equal(parse("audit: initializing netlink subsys (disabled)", &r, NULL), TJ_KMSG_OTHER);
	assert_int_equal(parse("probe[14948]: segfault at 7ffc0ad13170", &r, NULL), TJ_KMSG_OTHER);
	assert_int_equal(parse("", &r, NULL), TJ_KMSG_OTHER);
	/* A seccomp record without the fields tinyjail needs is not one. */
	assert_int_equal(parse("audit: type=1326 audit(1.0:43): pid=1 comm=\"x\"", &r, NULL), TJ_KMSG_AUDIT);
	assert_int_equal(parse("audit: type=1326 audit(1.0:44): pid=x arch=c000003e syscall=1 code=0x0", &r, NULL),
			 TJ_KMSG_AUDIT);
	assert_int_equal(parse("audit: type=1326 audit(1.0): pid=1 arch=c000003e syscall=1 code=0x0", &r, NULL),
			 TJ_KMSG_OTHER);
	assert_int_equal(parse("audit: type=1326 audit(1.0:45): pid=99999999999 arch=c000003e syscall=1 code=0x0", &r,
			       NULL),
			 TJ_KMSG_AUDIT);
	/* Not a kmsg prefix: digits must be digits. */
	assert_int_equal(parse("a,b,c,-;audit: type=1326 audit(1.0:46): pid=1 arch=c000003e syscall=1 code=0x0", &r,
			       NULL),
			 TJ_KMSG_OTHER);
	/* Long lines are cut, not overrun. */
	char big[5000];
	memset(big, 'a', sizeof(big));
	memcpy(big, "audit: type=1326 audit(1.0:47): ", 32);
	assert_int_equal(tj_kmsg_parse(big, sizeof(big), &r, NULL), TJ_KMSG_AUDIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seccomp_record), cmocka_unit_test(test_dmesg_forms),
		cmocka_unit_test(test_comm_encodings), cmocka_unit_test(test_loss_lines),
		cmocka_unit_test(test_other_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
