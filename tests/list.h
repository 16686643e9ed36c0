/* list.h - every test, in the order the runner runs them. */
TEST(engine_time_order)
TEST(engine_ties_fifo)
TEST(engine_cancel)
TEST(engine_stale_handle_after_reuse)
TEST(engine_reentrant_schedule_at_now)
TEST(engine_cancel_from_handler_same_time)
TEST(engine_reschedule)
TEST(engine_run_until_is_exclusive)
TEST(engine_stop_and_interrupt)
TEST(engine_schedule_in_past_aborts)
TEST(engine_random_stress)
TEST(engine_two_sims_independent)
#include "list_units.h"
