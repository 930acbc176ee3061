/* trivial: the program forkexec starts; its first (and only) output is
 * one byte. */
#include <unistd.h>

int main(void)
{
	return write(1, "x", 1) != 1;
}
