package models

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// ErrMediaURL is a media URL Quire cannot use; the message names the part
// that is wrong.
var ErrMediaURL = errors.New("bad media URL")

// ImmutableCaching is the Cache-Control of every stored file: names are
// content hashes, so a name's bytes never change.
const ImmutableCaching = "public, max-age=31536000, immutable"

// S3Keys are the credentials of an S3-compatible service.
type S3Keys struct {
	AccessKey, SecretKey, SessionToken string
}

// S3Store keeps media as objects in a bucket of an S3-compatible service,
// so that every replica sees every upload without a shared folder.
type S3Store struct {
	client *minio.Client
	bucket string
	prefix string // "" or ends in "/"
	// PublicURL, when set, is where the objects are readable without
	// Quire (a public bucket or a CDN in front of it): /media/KEY
	// redirects there.
	PublicURL string
}

// s3Timeout bounds one request to the storage service's first response
// byte, so a stalled service fails a request instead of holding it.
const s3Timeout = 30 * time.Second

// NewS3Store reads a media URL of the form
//
//	s3://bucket/prefix?endpoint=http://127.0.0.1:9000&region=us-east-1&path_style=true&public_url=https://cdn.example.org/media
//
// (endpoint defaults to AWS, path_style to the client's choice, prefix and
// public_url to none). It only checks the URL: the service is first asked
// on the first request.
func NewS3Store(raw string, keys S3Keys) (*S3Store, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: it is not a URL (%v)", ErrMediaURL, err)
	}
	if u.Scheme != "s3" {
		return nil, fmt.Errorf("%w: the scheme is %q; use s3://bucket/prefix?endpoint=…", ErrMediaURL, u.Scheme)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%w: credentials do not go in the URL; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", ErrMediaURL)
	}
	if err := s3utils.CheckValidBucketNameStrict(u.Host); err != nil {
		return nil, fmt.Errorf("%w: the bucket name %q is not valid (%v)", ErrMediaURL, u.Host, err)
	}
	prefix := strings.Trim(u.Path, "/")
	if prefix != "" {
		prefix += "/"
	}
	opts := &minio.Options{Secure: true, Transport: s3Transport()}
	if keys.AccessKey != "" || keys.SecretKey != "" {
		opts.Creds = credentials.NewStaticV4(keys.AccessKey, keys.SecretKey, keys.SessionToken)
	} else {
		opts.Creds = credentials.NewStatic("", "", "", credentials.SignatureAnonymous)
	}
	endpoint := "s3.amazonaws.com"
	q := u.Query()
	for name, vals := range q {
		v := vals[0]
		switch name {
		case "endpoint":
			e, err := url.Parse(v)
			if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" || strings.Trim(e.Path, "/") != "" || e.RawQuery != "" {
				return nil, fmt.Errorf("%w: the endpoint %q must be an http:// or https:// address with no path", ErrMediaURL, v)
			}
			endpoint, opts.Secure = e.Host, e.Scheme == "https"
		case "region":
			opts.Region = v
		case "path_style":
			switch v {
			case "true":
				opts.BucketLookup = minio.BucketLookupPath
			case "false":
				opts.BucketLookup = minio.BucketLookupDNS
			default:
				return nil, fmt.Errorf("%w: path_style is %q; use true or false", ErrMediaURL, v)
			}
		case "public_url":
			p, err := url.Parse(v)
			if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.RawQuery != "" {
				return nil, fmt.Errorf("%w: public_url %q must be an absolute http:// or https:// URL with no query", ErrMediaURL, v)
			}
		default:
			return nil, fmt.Errorf("%w: unknown setting %q; use endpoint, region, path_style or public_url", ErrMediaURL, name)
		}
	}
	client, err := minio.New(endpoint, opts)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMediaURL, err)
	}
	return &S3Store{client: client, bucket: u.Host, prefix: prefix, PublicURL: strings.TrimSuffix(q.Get("public_url"), "/")}, nil
}

// Check asks the service whether the bucket is there: a bucket that does
// not exist is ErrMediaURL (the setting is wrong); a service that cannot be
// reached or refuses the keys is another error.
func (s *S3Store) Check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ok, err := s.client.BucketExists(ctx, s.bucket)
	if err != nil {
		return fmt.Errorf("the storage service at %s did not answer about bucket %q: %w", s.client.EndpointURL().Host, s.bucket, err)
	}
	if !ok {
		return fmt.Errorf("%w: the bucket %q does not exist at %s", ErrMediaURL, s.bucket, s.client.EndpointURL().Host)
	}
	return nil
}

// s3Transport is the default transport with its waits bounded.
func s3Transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	t.ResponseHeaderTimeout = s3Timeout
	t.MaxIdleConnsPerHost = 64
	return t
}

// Redirect is where /media/KEY sends readers, when the store has a public
// URL; ok is false when Quire serves the file itself.
func (s *S3Store) Redirect(key string) (target string, ok bool) {
	if s.PublicURL == "" {
		return "", false
	}
	return s.PublicURL + "/" + key, true
}

// Put uploads data in one request with its length known, so the client
// streams it without buffering a copy. The object carries its type and
// immutable caching, for whoever reads the bucket directly (a CDN).
func (s *S3Store) Put(ctx context.Context, key string, data []byte) error {
	if !ValidKey(key) {
		return fmt.Errorf("models: media key %q: %w", key, ErrNotFound)
	}
	_, err := s.client.PutObject(ctx, s.bucket, s.prefix+key, bytes.NewReader(data), int64(len(data)),
		minio.PutObjectOptions{ContentType: MediaContentType(key), CacheControl: ImmutableCaching})
	if err != nil {
		return fmt.Errorf("models: store media: %w", err)
	}
	return nil
}

// Open returns the object, which reads and seeks by ranged requests (so
// Range and conditional requests still work through Quire). The first
// request is made here, so a missing key is ErrNotFound.
func (s *S3Store) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	if !ValidKey(key) {
		return nil, ErrNotFound
	}
	obj, err := s.client.GetObject(ctx, s.bucket, s.prefix+key, minio.GetObjectOptions{})
	if err == nil {
		_, err = obj.Stat()
	}
	if err != nil {
		if obj != nil {
			_ = obj.Close()
		}
		if noSuchKey(err) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("models: open media: %w", err)
	}
	return obj, nil
}

func noSuchKey(err error) bool {
	return minio.ToErrorResponse(err).Code == minio.NoSuchKey
}

// Delete removes the object; a missing object is not an error.
func (s *S3Store) Delete(ctx context.Context, key string) error {
	if !ValidKey(key) {
		return ErrNotFound
	}
	if err := s.client.RemoveObject(ctx, s.bucket, s.prefix+key, minio.RemoveObjectOptions{}); err != nil && !noSuchKey(err) {
		return fmt.Errorf("models: delete media: %w", err)
	}
	return nil
}

// Stale lists the keys under the prefix last written before cutoff. An
// upload is a single PUT, which leaves nothing behind when cut short, so
// there is nothing else to clear away; objects that are not Quire's keys
// are left alone.
func (s *S3Store) Stale(ctx context.Context, cutoff time.Time, fn func(key string) error) error {
	ctx, cancel := context.WithCancel(ctx) // stops the listing when fn fails
	defer cancel()
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix, Recursive: true}) {
		if obj.Err != nil {
			return fmt.Errorf("models: list media: %w", obj.Err)
		}
		key := strings.TrimPrefix(obj.Key, s.prefix)
		if !ValidKey(key) || !obj.LastModified.Before(cutoff) {
			continue
		}
		if err := fn(key); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// DeleteStale removes the object unless it was written at or after cutoff:
// it asks the object's time first, then deletes. S3 has no delete that is
// conditional on time (and a rewrite has the same bytes, so the same ETag),
// so one race remains: an upload of the same image landing between the two
// requests (one round trip) loses its object, until that image is uploaded
// again.
func (s *S3Store) DeleteStale(ctx context.Context, key string, cutoff time.Time) (bool, error) {
	if !ValidKey(key) {
		return false, ErrNotFound
	}
	info, err := s.client.StatObject(ctx, s.bucket, s.prefix+key, minio.StatObjectOptions{})
	if noSuchKey(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("models: delete stale media: %w", err)
	}
	if !info.LastModified.Before(cutoff) {
		return false, nil
	}
	if err := s.client.RemoveObject(ctx, s.bucket, s.prefix+key, minio.RemoveObjectOptions{}); err != nil {
		return false, fmt.Errorf("models: delete stale media: %w", err)
	}
	return true, nil
}
