/* SPDX-License-Identifier: Apache-2.0 */
/* The OCI seccomp agent protocol (src/supervise/agent.c): state JSON and sockets. */
#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tj/supervise/agent.h"

static void parse_ok(const char *json, struct tj_agent_state *st)
{
	struct tj_err *err = NULL;
	if (tj_agent_state_parse(json, strlen(json), st, &err) < 0)
		fail_msg("parse: %s", err->msg);
}

static void parse_fails(const char *json, const char *want)
{
	struct tj_agent_state st;
	struct tj_err *err = NULL;
	assert_int_equal(tj_agent_state_parse(json, strlen(json), &st, &err), -1);
	assert_contains(err->msg, want);
	assert_null(st.id);
	tj_err_free(err);
}

static void test_state_round_trip(void **state)
{
	(void)state;
	struct tj_agent_client c = {.sock = -1, .metadata = "m \"1\"", .profile = "/p.json", .command = "./app"};
	char *json = tj_agent_state_json(&c, 4242, "/work/dir");
	assert_contains(json, "\"ociVersion\":\"1.0.2\",\"fds\":[\"seccompFd\"],\"pid\":4242");
	assert_contains(json, "\"status\":\"creating\"");
	struct tj_agent_state st;
	parse_ok(json, &st);
	assert_string_equal(st.oci_version, "1.0.2");
	assert_int_equal(st.pid, 4242);
	assert_string_equal(st.metadata, "m \"1\"");
	assert_string_equal(st.id, "tinyjail-4242");
	assert_string_equal(st.status, "creating");
	assert_string_equal(st.bundle, "/work/dir");
	assert_int_equal(st.seccomp_fd_index, 0);
	assert_int_equal(st.nfds, 1);
	tj_agent_state_done(&st);
	free(json);

	/* Without metadata the key is absent, as runc writes it. */
	c.metadata = NULL;
	json = tj_agent_state_json(&c, 7, "");
	assert_null(strstr(json, "metadata"));
	parse_ok(json, &st);
	assert_null(st.metadata);
	tj_agent_state_done(&st);
	free(json);
}

static void test_state_from_runtimes(void **state)
{
	(void)state;
	struct tj_agent_state st;
	/* crun writes ociVersion 0.2.0 and its own keys; runc "1.0.2-dev". */
	parse_ok("{\"ociVersion\":\"0.2.0\",\"fds\":[\"seccompFd\"],\"pid\":123,\"metadata\":\"M\",\"state\":{"
		 "\"ociVersion\":\"0.2.0\",\"id\":\"c1\",\"status\":\"creating\",\"pid\":123,\"bundle\":\"/b\","
		 "\"annotations\":{\"x\":\"y\"}},\"extra\":[1,2]}",
		 &st);
	assert_int_equal(st.pid, 123);
	assert_string_equal(st.id, "c1");
	assert_string_equal(st.metadata, "M");
	tj_agent_state_done(&st);
	/* The listener need not be first in fds. */
	parse_ok("{\"ociVersion\":\"1.0.2\",\"fds\":[\"other\",\"seccompFd\"],\"pid\":5,\"state\":{\"id\":\"x\"}}",
		 &st);
	assert_int_equal(st.seccomp_fd_index, 1);
	assert_int_equal(st.nfds, 2);
	tj_agent_state_done(&st);
	parse_ok("{\"ociVersion\":\"1.0.2\",\"pid\":5,\"state\":{\"id\":\"x\"}}", &st);
	assert_int_equal(st.seccomp_fd_index, -1);
	tj_agent_state_done(&st);

	parse_fails("{\"pid\":5,\"state\":{\"id\":\"x\"}}", "missing 'ociVersion'");
	parse_fails("{\"ociVersion\":\"1\",\"pid\":-5,\"state\":{\"id\":\"x\"}}", "missing or invalid 'pid'");
	parse_fails("{\"ociVersion\":\"1\",\"pid\":\"5\",\"state\":{\"id\":\"x\"}}", "missing or invalid 'pid'");
	parse_fails("{\"ociVersion\":\"1\",\"pid\":5}", "missing 'state'");
	parse_fails("{\"ociVersion\":\"1\",\"pid\":5,\"state\":{}}", "missing 'id'");
	parse_fails("[1]", "expected an object");
	parse_fails("{\"ociVersion\":\"1\",", "invalid JSON");
	parse_fails("", "empty");
}

static void test_send_receive(void **state)
{
	(void)state;
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	int pipefd[2];
	assert_int_equal(pipe2(pipefd, O_CLOEXEC), 0);
	struct tj_err *err = NULL;
	const char *json = "{\"ociVersion\":\"1.0.2\",\"fds\":[\"seccompFd\"],\"pid\":9,\"state\":{\"id\":\"t\"}}";
	assert_int_equal(tj_agent_send(sv[0], json, pipefd[0], &err), 0);
	close(sv[0]);
	char *got = NULL;
	size_t len = 0, nfds = 0;
	int fds[TJ_AGENT_MAX_FDS];
	assert_int_equal(tj_agent_receive(sv[1], &got, &len, fds, &nfds, &err), 0);
	assert_string_equal(got, json);
	assert_int_equal(len, strlen(json));
	assert_int_equal(nfds, 1);
	/* The fd is the pipe (not a seccomp listener) and works. */
	assert_false(tj_agent_is_listener(fds[0]));
	assert_int_equal(write(pipefd[1], "x", 1), 1);
	char c;
	assert_int_equal(read(fds[0], &c, 1), 1);
	assert_int_equal(fcntl(fds[0], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	close(fds[0]);
	free(got);
	close(sv[1]);
	close(pipefd[0]);
	close(pipefd[1]);

	/* A runtime that closes without sending anything. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	close(sv[0]);
	assert_int_equal(tj_agent_receive(sv[1], &got, &len, fds, &nfds, &err), 0);
	assert_int_equal(len, 0);
	assert_int_equal(nfds, 0);
	free(got);
	close(sv[1]);
	assert_false(tj_agent_is_listener(-1));
}

static void test_listen_connect(void **state)
{
	(void)state;
	char dir[] = "/tmp/tj-agent-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof(path), "%s/a.sock", dir);
	struct tj_err *err = NULL;
	int ls = -1, cs = -1;
	assert_int_equal(tj_agent_connect(path, &cs, &err), -1);
	assert_contains(err->msg, "cannot reach the seccomp agent");
	assert_contains(err->hint, "tinyjail supervise --listen");
	tj_err_free(err);
	err = NULL;

	assert_int_equal(tj_agent_listen(path, &ls, &err), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* A second agent on a live socket is refused. */
	int ls2 = -1;
	assert_int_equal(tj_agent_listen(path, &ls2, &err), -1);
	assert_contains(err->msg, "another agent is listening");
	tj_err_free(err);
	err = NULL;
	assert_int_equal(tj_agent_connect(path, &cs, &err), 0);
	close(cs);
	close(ls);
	/* A stale socket file is replaced. */
	assert_int_equal(tj_agent_listen(path, &ls, &err), 0);
	close(ls);
	unlink(path);
	/* Anything else at the path is left alone. */
	int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	close(fd);
	assert_int_equal(tj_agent_listen(path, &ls, &err), -1);
	assert_contains(err->msg, "exists and is not a socket");
	tj_err_free(err);
	err = NULL;
	unlink(path);
	char longp[200];
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	assert_int_equal(tj_agent_listen(longp, &ls, &err), -1);
	assert_contains(err->msg, "too long");
	tj_err_free(err);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_round_trip),
		cmocka_unit_test(test_state_from_runtimes),
		cmocka_unit_test(test_send_receive),
		cmocka_unit_test(test_listen_connect),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
