/* list_keys.h - tests of MD5 and partition-key distributions (test_keys.c). */
