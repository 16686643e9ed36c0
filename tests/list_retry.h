/* list_retry.h - tests of the SDK retry policies (test_retry.c). */
