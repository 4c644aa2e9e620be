#include <stdio.h>
int main(void)
{
    puts("tlsdiag");
    return 0;
}
