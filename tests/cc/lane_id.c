// v_lane_id() masks the tail of a row that is not a multiple of 64.
// ir: lane_id
void main(tensor in, tensor out)
{
	int5 c = get_index_space_offset();
	int width = get_dim_size(in, 0);
	c[0] = c[0] * 64;
	bool64 valid = v_lane_id() < width - c[0];
	float64 x = v_f32_ld_tnsr(c, in);
	float64 m = v_sel(valid, x, -3.0e38f);
	v_f32_st_tnsr(c, out, x - v_reduce_max(m));
}
