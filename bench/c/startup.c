/* startup: the start-up reference, a C program doing what
 * `ipcsh -c 'print 1'` does: print one line and exit. */
#include <stdio.h>

int main(void)
{
	return puts("1") < 0;
}
