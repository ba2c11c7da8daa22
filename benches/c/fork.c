/* The seed's fork program in C, for the size comparison in BENCHMARKS.md
 * (benches/run.sh builds it statically with musl and with glibc). Compile
 * with -DUSE_MAP_ANON for the MAP_ANONYMOUS variant, as
 * examples/nolibc_fork.rs does by default. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    int *value;
#ifdef USE_MAP_ANON
    value = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (value == MAP_FAILED) { fprintf(stderr, "mmap() failed\n"); exit(EXIT_FAILURE); }
#else
    int fd = open("/dev/zero", O_RDWR);
    if (fd < 0) { fprintf(stderr, "open() failed\n"); exit(EXIT_FAILURE); }
    value = mmap(NULL, sizeof(int), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (value == MAP_FAILED) { fprintf(stderr, "mmap() failed\n"); exit(EXIT_FAILURE); }
    close(fd);
#endif
    *value = 1;
    pid_t pid = fork();
    if (pid < 0) { fprintf(stderr, "fork() failed\n"); exit(EXIT_FAILURE); }
    if (pid == 0) {
        printf("Child started, value = %d\n", *value);
        (*value)++;
        munmap(value, sizeof(int));
        exit(EXIT_SUCCESS);
    }
    if (wait(NULL) < 0) { fprintf(stderr, "wait() failed\n"); exit(EXIT_FAILURE); }
    printf("In parent, value = %d\n", *value);
    munmap(value, sizeof(int));
    return 0;
}
