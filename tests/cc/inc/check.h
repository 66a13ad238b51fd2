// Self-checks of the tests/cc programs on the device (see tests/cc/README).
// A program includes this, has a tensor parameter `ok` and a `// run:`
// line, and records each check k (0 <= k < checks) of its work item with
//   CHECK(k, scalar condition)        1 if true, else -1
//   CHECKV(k, bool64 condition)       1 if every lane is true, else
//                                     -2 - (the first false lane)
// at ok[k, p], p the item's first point in dimension CHECK_PART (0 unless
// the program defines it before the #include). 0 means "did not run".
#ifndef CHECK_H
#define CHECK_H
#ifndef CHECK_PART
#define CHECK_PART 0
#endif

static int5 check_at(int k)
{
	int5 o = get_index_space_offset();
	int5 c = { k, o[CHECK_PART] };
	return c;
}

static int check_lanes(bool64 p)
{
	int first = v_reduce_min(v_sel(p, 64, v_lane_id()));
	return first == 64 ? 1 : -2 - first;
}

#define CHECK(k, cond) s_i32_st_tnsr(check_at(k), ok, (cond) ? 1 : -1)
#define CHECKV(k, p) s_i32_st_tnsr(check_at(k), ok, check_lanes(p))
#endif
