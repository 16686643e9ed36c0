/* list_kinesis.h - tests of Kinesis Data Streams (test_kinesis.c). */
