/* SPDX-License-Identifier: MIT */
/*
 * The IDX reader (loom_idx.h): the header is checked before anything is
 * allocated, then exactly the bytes it announces are read; a file must end
 * where its data ends. zlib's gzread reads plain and gzip files alike.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "loom_idx.h"

#define IDX_HDR_MAX	(4 + 4 * LOOM_IDX_MAX_DIMS)

static int idx_err(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

const char *loom_idx_type_name(uint32_t type)
{
	switch (type) {
	case LOOM_IDX_U8: return "ubyte";
	case LOOM_IDX_S8: return "byte";
	case LOOM_IDX_I16: return "short";
	case LOOM_IDX_I32: return "int";
	case LOOM_IDX_F32: return "float";
	case LOOM_IDX_F64: return "double";
	}
	return "unknown";
}

static uint32_t idx_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Check the 4-byte magic; on success *ndims is the dimension count. */
static int idx_magic_check(const uint8_t *p, const char *name, uint32_t *ndims, char *err,
			   size_t errlen)
{
	if (p[0] || p[1])
		return idx_err(err, errlen, -EINVAL,
			       "%s: not an IDX file (magic %02x %02x %02x %02x: the first two bytes must be 0)",
			       name, p[0], p[1], p[2], p[3]);
	if (!strcmp(loom_idx_type_name(p[2]), "unknown"))
		return idx_err(err, errlen, -EINVAL, "%s: unknown IDX element type 0x%02x", name,
			       p[2]);
	if (p[3] < 1 || p[3] > LOOM_IDX_MAX_DIMS)
		return idx_err(err, errlen, -EINVAL, "%s: %u dimensions (1 to %d supported)", name,
			       p[3], LOOM_IDX_MAX_DIMS);
	if (p[2] != LOOM_IDX_U8)
		return idx_err(err, errlen, -ENOTSUP,
			       "%s: element type %s (0x%02x): only ubyte (0x08) is supported", name,
			       loom_idx_type_name(p[2]), p[2]);
	*ndims = p[3];
	return 0;
}

/* Fill idx's shape from a complete header of 4 + 4 * ndims bytes. */
static int idx_dims_check(const uint8_t *p, uint32_t ndims, const char *name,
			  struct loom_idx *idx, char *err, size_t errlen)
{
	uint64_t count = 1;
	uint32_t i;

	memset(idx, 0, sizeof(*idx));
	idx->type = p[2];
	idx->ndims = ndims;
	for (i = 0; i < ndims; i++) {
		idx->dims[i] = idx_be32(p + 4 + 4 * i);
		if (!idx->dims[i])
			return idx_err(err, errlen, -EINVAL, "%s: dimension %u has size 0", name, i);
		count *= idx->dims[i];
		if (count > LOOM_IDX_MAX_BYTES)
			return idx_err(err, errlen, -EFBIG,
				       "%s: more than %llu bytes of data announced", name,
				       (unsigned long long)LOOM_IDX_MAX_BYTES);
	}
	idx->count = count;
	return 0;
}

int loom_idx_parse(const void *buf, size_t len, const char *name, struct loom_idx *idx,
		   char *err, size_t errlen)
{
	const uint8_t *p = buf;
	uint32_t ndims;
	size_t hdr;
	int ret;

	if (!idx || (!buf && len))
		return idx_err(err, errlen, -EINVAL, "loom_idx_parse: NULL argument");
	memset(idx, 0, sizeof(*idx));
	name = name ? name : "IDX data";
	if (len < 4)
		return idx_err(err, errlen, -ENODATA, "%s: truncated: %zu bytes, no IDX header",
			       name, len);
	ret = idx_magic_check(p, name, &ndims, err, errlen);
	if (ret)
		return ret;
	hdr = 4 + 4 * (size_t)ndims;
	if (len < hdr)
		return idx_err(err, errlen, -ENODATA,
			       "%s: truncated header: %zu bytes, %zu needed for %u dimensions", name,
			       len, hdr, ndims);
	ret = idx_dims_check(p, ndims, name, idx, err, errlen);
	if (ret)
		return ret;
	if (len - hdr < idx->count) {
		ret = idx_err(err, errlen, -ENODATA,
			      "%s: truncated: %zu bytes of data, %llu announced by the header", name,
			      len - hdr, (unsigned long long)idx->count);
		goto fail;
	}
	if (len - hdr > idx->count) {
		ret = idx_err(err, errlen, -EBADMSG,
			      "%s: %llu bytes after the %llu bytes of data the header announces",
			      name, (unsigned long long)(len - hdr - idx->count),
			      (unsigned long long)idx->count);
		goto fail;
	}
	idx->data = malloc(idx->count);
	if (!idx->data) {
		ret = idx_err(err, errlen, -ENOMEM, "%s: out of memory for %llu bytes", name,
			      (unsigned long long)idx->count);
		goto fail;
	}
	memcpy(idx->data, p + hdr, idx->count);
	return 0;
fail:
	memset(idx, 0, sizeof(*idx));
	return ret;
}

/*
 * Read up to len bytes; returns the count read (short only at the end of
 * the stream) or a negative errno with the message in err.
 */
static long long idx_gz_read(gzFile f, void *dst, uint64_t len, const char *path, char *err,
			     size_t errlen)
{
	uint64_t done = 0;
	int zerr;

	while (done < len) {
		unsigned chunk = len - done > (1u << 30) ? (1u << 30) : (unsigned)(len - done);
		int n = gzread(f, (uint8_t *)dst + done, chunk);

		if (n <= 0)
			break;
		done += (unsigned)n;
	}
	/*
	 * Short: the end of the file, or an error (a gzip stream cut short
	 * reads as a short count with Z_BUF_ERROR set).
	 */
	if (done < len) {
		int saved = errno;
		const char *msg = gzerror(f, &zerr);

		if (zerr == Z_ERRNO)
			return idx_err(err, errlen, saved ? -saved : -EIO, "%s: read: %s", path,
				       strerror(saved ? saved : EIO));
		if (zerr == Z_BUF_ERROR)
			return idx_err(err, errlen, -ENODATA,
				       "%s: truncated gzip stream (%s)", path,
				       msg ? msg : "unexpected end of file");
		if (zerr != Z_OK && zerr != Z_STREAM_END)
			return idx_err(err, errlen, -EBADMSG, "%s: corrupt gzip data: %s", path,
				       msg ? msg : "unknown zlib error");
	}
	return (long long)done;
}

int loom_idx_load(const char *path, struct loom_idx *idx, char *err, size_t errlen)
{
	uint8_t hdr[IDX_HDR_MAX], extra;
	uint32_t ndims;
	long long n;
	gzFile f;
	int ret;

	if (!path || !idx)
		return idx_err(err, errlen, -EINVAL, "loom_idx_load: NULL argument");
	memset(idx, 0, sizeof(*idx));
	errno = 0;
	f = gzopen(path, "rb");
	if (!f)
		return idx_err(err, errlen, errno ? -errno : -ENOMEM, "%s: %s", path,
			       errno ? strerror(errno) : "cannot open");
	n = idx_gz_read(f, hdr, 4, path, err, errlen);
	if (n < 0) {
		ret = (int)n;
		goto out;
	}
	if (n < 4) {
		ret = idx_err(err, errlen, -ENODATA, "%s: truncated: %lld bytes, no IDX header",
			      path, n);
		goto out;
	}
	ret = idx_magic_check(hdr, path, &ndims, err, errlen);
	if (ret)
		goto out;
	n = idx_gz_read(f, hdr + 4, 4 * ndims, path, err, errlen);
	if (n < 0) {
		ret = (int)n;
		goto out;
	}
	if (n < 4 * ndims) {
		ret = idx_err(err, errlen, -ENODATA,
			      "%s: truncated header: %lld bytes, %u needed for %u dimensions", path,
			      n + 4, 4 + 4 * ndims, ndims);
		goto out;
	}
	ret = idx_dims_check(hdr, ndims, path, idx, err, errlen);
	if (ret)
		goto out;
	idx->data = malloc(idx->count);
	if (!idx->data) {
		ret = idx_err(err, errlen, -ENOMEM, "%s: out of memory for %llu bytes", path,
			      (unsigned long long)idx->count);
		goto out;
	}
	n = idx_gz_read(f, idx->data, idx->count, path, err, errlen);
	if (n < 0) {
		ret = (int)n;
		goto out;
	}
	if ((uint64_t)n < idx->count) {
		ret = idx_err(err, errlen, -ENODATA,
			      "%s: truncated: %lld bytes of data, %llu announced by the header", path,
			      n, (unsigned long long)idx->count);
		goto out;
	}
	n = idx_gz_read(f, &extra, 1, path, err, errlen);
	if (n < 0) {
		ret = (int)n;
		goto out;
	}
	if (n > 0)
		ret = idx_err(err, errlen, -EBADMSG,
			      "%s: data continues after the %llu bytes the header announces", path,
			      (unsigned long long)idx->count);
out:
	gzclose(f);
	if (ret)
		loom_idx_free(idx);
	return ret;
}

void loom_idx_free(struct loom_idx *idx)
{
	if (!idx)
		return;
	free(idx->data);
	memset(idx, 0, sizeof(*idx));
}
