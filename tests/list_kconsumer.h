/* list_kconsumer.h - tests of consumer applications on Kinesis streams (test_kconsumer.c). */
TEST(kconsumer_shared_one_consumer_delay)
TEST(kconsumer_five_shared_throttle_five_efo_do_not)
TEST(kconsumer_shared_bytes_fall_behind_efo_keeps_up)
TEST(kconsumer_reshard_parents_first)
TEST(kconsumer_failures_retried_in_place)
TEST(kconsumer_resolve)
