/*
 * The node's sandbox ("pause") image: the first process of every pod, which holds the pod's
 * namespaces. It sleeps until SIGTERM or SIGINT and reaps any child handed to it. Built
 * static (gcc -static) and put alone into an image by build.sh: nothing is pulled.
 */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void stop(int sig) {
  (void)sig;
  _exit(0);
}

static void reap(int sig) {
  (void)sig;
  while (waitpid(-1, 0, WNOHANG) > 0) {
  }
}

int main(void) {
  struct sigaction quit = {.sa_handler = stop};
  struct sigaction child = {.sa_handler = reap, .sa_flags = SA_NOCLDSTOP | SA_RESTART};
  sigaction(SIGTERM, &quit, 0);
  sigaction(SIGINT, &quit, 0);
  sigaction(SIGCHLD, &child, 0);
  for (;;) pause();
}
