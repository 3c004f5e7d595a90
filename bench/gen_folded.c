/*
 * gen_folded.c - deterministic generator of large, realistic folded-stack
 * profiles (the input of flamegraph.pl, inferno and prof-render), for the
 * benchmarks.
 *
 *   gen_folded --stacks N [options] > out.folded     N distinct stacks
 *   gen_folded --target-bytes B [options] > out.folded
 *                                  distinct stacks until the output is ~B bytes
 * Options:
 *   --seed S            another profile of the same shape (default 1)
 *   --shuffled          lines in generation order (the default)
 *   --sorted            lines sorted bytewise, as `LC_ALL=C sort` does
 *   --repeat K          print the whole set K times (more input, same stacks)
 *   --depth-min D, --depth-max D   depth range of ordinary stacks (10, 60)
 *   --avg-line-bytes L  scale the depth range so lines average about L bytes
 *   --version           print the generator version
 *
 * The profile is a system-wide one (like `perf record -a` folded by
 * stackcollapse-perf.pl): a few processes (C++, Go, Java, Rust, Python,
 * kernel threads), each a random walk down its own synthetic call graph of
 * some hundred functions that call a handful of callees each, the first
 * callee much more often than the others. Stacks therefore share long
 * prefixes. Many end in libc or in the kernel (`_[k]` frames). Depths are
 * mostly 10-60, one stack in 300 is 100-200 deep (recursion); counts follow
 * a Zipf law (half the stacks are 1s, a few are very hot).
 *
 * Determinism: own PRNG (splitmix64), integer arithmetic only on the
 * generation path, no time, no rand(): the same arguments give the same
 * bytes on every machine. Stacks are distinct by construction: each one is
 * checked against a hash set of those already made (exact comparison on a
 * hash match). Memory: about 2 bytes per frame plus 40 bytes per stack,
 * about 100 MB for 1,000,000 stacks; the text is made only when printed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GEN_VERSION "gen_folded 2"

enum { MAX_FANOUT = 8, MAX_DEPTH = 20000, NAME_CAP = 256 };

static void die(const char *what) {
  fprintf(stderr, "gen_folded: %s\n", what);
  exit(1);
}

static void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q)
    die("out of memory");
  return q;
}

/* ---- PRNG: splitmix64 ---- */

typedef struct {
  uint64_t s;
} rng;

static uint64_t rnext(rng *r) {
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* uniform in [0, n) */
static uint32_t below(rng *r, uint32_t n) {
  return (uint32_t)(((rnext(r) >> 32) * (uint64_t)n) >> 32);
}

/* index drawn with integer weights w[0..n-1] */
static unsigned pick(rng *r, const unsigned *w, unsigned n) {
  unsigned total = 0;
  for (unsigned i = 0; i < n; i++)
    total += w[i];
  unsigned x = below(r, total);
  for (unsigned i = 0; i < n; i++) {
    if (x < w[i])
      return i;
    x -= w[i];
  }
  return n - 1;
}

#define PICK(r, arr) ((arr)[below((r), (uint32_t)(sizeof(arr) / sizeof *(arr)))])

/* ---- interned names: one id per distinct string ---- */

static char *pool;
static size_t pool_len, pool_cap;
static uint32_t *name_off;
static uint16_t *name_len;
static uint32_t nnames, names_cap;
static uint32_t *name_slot; /* open addressing: id + 1, 0 = empty */
static uint32_t name_slot_cap = 1u << 15;

static uint64_t hash_bytes(const char *s, size_t n) {
  uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
  return h;
}

/* id of s, or -1 if unknown; with add, adds it */
static int64_t intern_n(const char *s, size_t n, int add) {
  if (!name_slot)
    name_slot = calloc(name_slot_cap, sizeof *name_slot);
  if (!name_slot)
    die("out of memory");
  uint32_t j = (uint32_t)hash_bytes(s, n) & (name_slot_cap - 1);
  while (name_slot[j]) {
    uint32_t id = name_slot[j] - 1;
    if (name_len[id] == n && memcmp(pool + name_off[id], s, n) == 0)
      return id;
    j = (j + 1) & (name_slot_cap - 1);
  }
  if (!add)
    return -1;
  if (n == 0 || n >= NAME_CAP || memchr(s, ';', n) || memchr(s, '\n', n))
    die("bad function name");
  if (nnames * 2 >= name_slot_cap || nnames >= 65000)
    die("too many names");
  if (nnames == names_cap) {
    names_cap = names_cap ? names_cap * 2 : 1024;
    name_off = xrealloc(name_off, names_cap * sizeof *name_off);
    name_len = xrealloc(name_len, names_cap * sizeof *name_len);
  }
  if (pool_len + n > pool_cap) {
    pool_cap = (pool_len + n) * 2;
    pool = xrealloc(pool, pool_cap);
  }
  memcpy(pool + pool_len, s, n);
  name_off[nnames] = (uint32_t)pool_len;
  name_len[nnames] = (uint16_t)n;
  pool_len += n;
  name_slot[j] = nnames + 1;
  return nnames++;
}

static uint16_t intern(const char *s) { return (uint16_t)intern_n(s, strlen(s), 1); }

/* "a;b;c" -> ids; returns the count */
static unsigned intern_chain(const char *chain, uint16_t *ids, unsigned cap) {
  unsigned n = 0;
  while (*chain && n < cap) {
    const char *e = strchr(chain, ';');
    size_t len = e ? (size_t)(e - chain) : strlen(chain);
    ids[n++] = (uint16_t)intern_n(chain, len, 1);
    chain += len + (e != NULL);
  }
  return n;
}

/* ---- vocabulary ---- */

static const char *const cxx_std_class[] = {
    "vector<int>", "vector<std::string>", "unordered_map<std::string, int>",
    "basic_string<char>", "deque<Task*>", "map<long, Order>", "shared_ptr<Session>",
    "_Hashtable<long, std::pair<long const, Entry>>", "basic_ostream<char>",
    "__detail::_Executor<char const*>", "function<void ()>", "priority_queue<Timer>"};
static const char *const cxx_std_method[] = {
    "push_back", "emplace_back", "find", "insert", "operator[]", "reserve", "resize",
    "_M_realloc_insert", "_M_find_before_node", "_M_dispose", "operator()", "append",
    "_M_mutate", "compare", "erase", "_M_rehash", "_M_dfs", "pop"};
static const char *const cxx_ns[] = {
    "absl", "folly", "google::protobuf", "google::protobuf::internal", "v8::internal",
    "rocksdb", "grpc_core", "boost::asio::detail", "mysql", "envoy::Http",
    "app", "app::storage", "app::net", "app::query", "app::cache", "Eigen::internal"};
static const char *const cxx_class[] = {
    "HashTable", "Parser", "Session", "Buffer", "Arena", "ThreadPool", "Compactor",
    "DBImpl", "MemTable", "Connection", "Executor", "Planner", "Tokenizer", "Allocator",
    "Writer", "Reader", "Scheduler", "Histogram", "Channel", "Server", "Codec",
    "MessageLite", "WireFormat", "BlockBasedTable", "Filter", "Router", "LruCache",
    "Cord", "StatusOr<Row>", "Lexer", "Optimizer", "Index", "Epoll", "Timer"};
static const char *const cxx_method[] = {
    "Run", "Parse", "Serialize", "ParseFromString", "Get", "Put", "Write", "Read",
    "Flush", "Compact", "Lookup", "Execute", "Dispatch", "HandleRequest", "OnData",
    "Poll", "Schedule", "Allocate", "Release", "Encode", "Decode", "Hash", "Compare",
    "Visit", "Merge", "Update", "ByteSizeLong", "InternalParse", "NewIterator", "Seek",
    "Next", "Append", "Reserve", "~Session", "operator()", "DoWork", "Match", "Evict"};

static const char *const go_pkg[] = {
    "runtime", "runtime", "net/http", "net", "encoding/json", "sync", "bufio", "io",
    "compress/gzip", "main", "github.com/acme/shop/internal/store",
    "github.com/acme/shop/internal/api", "google.golang.org/grpc",
    "google.golang.org/protobuf/internal/impl", "github.com/prometheus/client_golang/prometheus",
    "database/sql", "crypto/tls", "reflect", "strconv", "sort", "context",
    "github.com/jackc/pgx/v5/pgconn", "go.uber.org/zap/zapcore"};
static const char *const go_type[] = {
    "conn", "Server", "Client", "Decoder", "Encoder", "Mutex", "Pool", "Reader", "Writer",
    "Store", "Handler", "Registry", "Tx", "Rows", "serverStream", "mcache", "gcWork",
    "decodeState", "encodeState", "Conn", "PgConn", "ioEncoder", "MessageInfo", "mheap"};
static const char *const go_func[] = {
    "serve", "ServeHTTP", "readRequest", "Decode", "Encode", "Lock", "Unlock", "Get",
    "Put", "Read", "Write", "Flush", "Query", "Scan", "mallocgc", "gcDrain", "scanobject",
    "findRunnable", "schedule", "park_m", "newobject", "growslice", "memmove",
    "mapaccess2_faststr", "mapassign", "Marshal", "Unmarshal", "handleStream",
    "processUnaryRPC", "Observe", "Next", "Sort", "ParseInt", "Call", "value", "object",
    "literalStore", "ReadMessage", "receiveMessage", "Exec", "alloc", "sweepone"};

static const char *const java_pkg[] = {
    "java/util", "java/util/concurrent", "java/lang", "java/io", "java/net",
    "org/apache/kafka/clients/consumer", "org/apache/kafka/common/network",
    "io/netty/channel", "io/netty/buffer", "io/netty/handler/codec/http",
    "com/fasterxml/jackson/databind", "com/fasterxml/jackson/databind/deser",
    "org/springframework/web/servlet", "com/acme/orders", "com/acme/orders/service",
    "sun/nio/ch", "jdk/internal/misc", "org/hibernate/internal", "java/util/stream"};
static const char *const java_class[] = {
    "HashMap", "ArrayList", "ConcurrentHashMap", "ThreadPoolExecutor", "String",
    "StringBuilder", "KafkaConsumer", "Selector", "NioEventLoop",
    "AbstractChannelHandlerContext", "ObjectMapper", "DispatcherServlet", "OrderService",
    "OrderRepository", "SocketChannelImpl", "Unsafe", "ForkJoinPool", "Thread",
    "BufferedReader", "PooledByteBufAllocator", "BeanDeserializer", "HttpObjectDecoder",
    "SessionImpl", "ReferencePipeline", "FutureTask", "LinkedBlockingQueue"};
static const char *const java_inner[] = {"Worker", "Node", "Entry", "Itr", "1", "2", "Segment"};
static const char *const java_method[] = {
    "get", "put", "add", "run", "runWorker", "poll", "select", "invokeChannelRead",
    "fireChannelRead", "readValue", "writeValueAsString", "doDispatch", "placeOrder",
    "findById", "read", "write", "park", "hashCode", "equals", "append", "toString",
    "<init>", "processSelectedKeys", "allocate", "lambda$submit$0", "apply", "accept",
    "compute", "deserialize", "decode", "channelRead", "take", "call", "getNode", "resize",
    "putVal", "forEach", "collect", "flush", "executeQuery"};

static const char *const rust_path[] = {
    "tokio::runtime::task::harness", "tokio::runtime::scheduler::multi_thread::worker",
    "hyper::proto::h1::dispatch", "hyper::proto::h1::role", "serde_json::de",
    "alloc::raw_vec", "core::ptr", "std::io", "regex::exec", "myapp::handlers",
    "myapp::db", "h2::proto::streams::recv", "tracing::span", "futures_util::future",
    "hashbrown::raw", "sqlx_core::pool", "bytes::bytes_mut", "rustls::conn"};
static const char *const rust_type[] = {
    "Harness<T,S>", "Context", "Dispatcher<D,Bs,I,T>", "Deserializer<R>", "RawVec<T,A>",
    "BufReader<R>", "ExecNoSync", "Recv", "Span", "RawTable<T,A>", "PoolInner<DB>",
    "BytesMut", "ConnectionCommon<Data>", "Conn<I,B,T>", "Server", "OrderStore"};
static const char *const rust_method[] = {
    "poll", "run_task", "poll_loop", "parse_value", "reserve_for_push", "drop_in_place",
    "read", "find_at", "handle_request", "query_orders", "recv_data", "enter", "insert",
    "acquire", "reserve", "process_new_packets", "poll_read", "encode", "parse_object",
    "grow_amortized", "deserialize_struct", "search", "complete", "run"};
static const char *const rust_trait[] = {
    "core::future::future::Future", "core::ops::drop::Drop", "std::io::Read",
    "serde::de::Deserializer", "core::iter::traits::iterator::Iterator"};

static const char *const py_dir[] = {
    "app/views", "app/models", "app/serializers", "django/db/models/query",
    "django/db/models/sql/compiler", "django/core/handlers/base", "django/template/base",
    "requests/sessions", "urllib3/connectionpool", "json/decoder", "json/encoder",
    "numpy/core/fromnumeric", "pandas/core/frame", "pandas/core/groupby/groupby",
    "celery/app/trace", "sqlalchemy/orm/query", "app/services/billing", "threading"};
static const char *const py_func[] = {
    "get", "post", "dispatch", "_fetch_all", "execute_sql", "as_sql", "render",
    "_render", "request", "send", "urlopen", "decode", "raw_decode", "encode",
    "iterencode", "sum", "apply", "aggregate", "__call__", "trace_task", "all",
    "_execute_and_instances", "compute_invoice", "charge", "run", "wait", "<listcomp>",
    "<module>", "__iter__", "_get_response", "inner", "wrapper", "process"};

static const char *const libc_names[] = {
    "malloc", "free", "_int_malloc", "_int_free", "__memmove_avx_unaligned_erms",
    "__memset_avx2_unaligned_erms", "__memcmp_avx2_movbe", "__strlen_avx2",
    "pthread_mutex_lock", "pthread_mutex_unlock", "__lll_lock_wait",
    "pthread_cond_wait@@GLIBC_2.3.2", "clock_gettime@@GLIBC_2.17", "__vdso_clock_gettime",
    "operator new(unsigned long)", "operator delete(void*, unsigned long)",
    "cfree@GLIBC_2.2.5", "malloc_consolidate", "sysmalloc", "realloc", "_int_realloc",
    "__strcmp_avx2", "__memchr_avx2", "tcache_get", "unlink_chunk.constprop.0",
    "__pthread_mutex_lock_full", "__GI___clock_gettime", "calloc", "[unknown]",
    "strtod", "____strtod_l_internal", "__printf_fp_l", "__vfprintf_internal"};

/* libc syscall wrapper and the syscall it makes */
static const char *const syscalls[][2] = {
    {"__GI___libc_write", "write"}, {"__libc_read", "read"}, {"epoll_wait", "epoll_wait"},
    {"__futex_abstimed_wait_common", "futex"}, {"__libc_sendmsg", "sendmsg"},
    {"__libc_recvfrom", "recvfrom"}, {"__mmap", "mmap"}, {"__GI___openat64", "openat"},
    {"__GI___poll", "poll"}, {"__munmap", "munmap"}, {"__libc_pwrite64", "pwrite64"},
    {"fdatasync", "fdatasync"}, {"__lll_lock_wait", "futex"}, {"__libc_sendto", "sendto"}};

static const char *const kern_sub[] = {
    "tcp", "udp", "ip", "ext4", "xfs", "vfs", "sock", "skb", "ep", "futex", "blk_mq",
    "nvme", "mem_cgroup", "page", "rcu", "irq", "sched", "hrtimer", "__netif", "napi",
    "filemap", "iomap", "jbd2", "dev", "nf", "security", "apparmor", "pipe", "anon",
    "lru", "mm", "__alloc", "free", "sk", "inet", "__sys", "copy", "generic", "__x64"};
static const char *const kern_verb[] = {
    "send", "recv", "read", "write", "alloc", "free", "queue", "wake", "wait", "poll",
    "lookup", "rcv", "xmit", "submit", "complete", "charge", "fault", "flush", "map",
    "unmap", "get", "put", "lock", "update", "release", "do", "try", "enqueue", "dequeue",
    "finish", "init", "add"};
static const char *const kern_obj[] = {
    "msg", "page", "pages", "skb", "inode", "request", "entry", "buffer", "folio",
    "bio", "task", "timer", "fair", "entity", "queue", "sock", "data", "iter", "vma",
    "mapping", "sg", "rq", "list", "one", "core", "frags", "work", "fd", "extent"};
static const char *const kern_leaf[] = {
    "_raw_spin_lock_[k]", "_raw_spin_lock_irqsave_[k]", "_raw_spin_unlock_irqrestore_[k]",
    "native_queued_spin_lock_slowpath_[k]", "copy_user_enhanced_fast_string_[k]",
    "clear_page_erms_[k]", "finish_task_switch.isra.0_[k]", "memcpy_erms_[k]",
    "__list_del_entry_valid_[k]", "rep_movs_alternative_[k]", "intel_idle_[k]"};
static const unsigned kern_leaf_w[] = {30, 14, 12, 10, 10, 6, 8, 4, 2, 3, 1};

/* ---- the synthetic program ---- */

enum { MOD_CXX, MOD_GO, MOD_JAVA, MOD_RUST, MOD_PY, MOD_LIBC, MOD_KERN, NMOD };
static const unsigned mod_size[NMOD] = {1100, 700, 800, 500, 350, 0, 450};
enum { NENTRY = 4, NREC = 4 };
static const char *const mod_entry[NMOD][NENTRY] = {
    {"boost::asio::detail::scheduler::run", "app::net::Server::Run",
     "rocksdb::ThreadPoolImpl::Impl::BGThread", "app::query::Worker::Loop"},
    {"net/http.(*conn).serve", "main.main",
     "google.golang.org/grpc.(*Server).serveStreams.func1.1", "runtime.gcBgMarkWorker"},
    {"java/lang/Thread.run", "java/util/concurrent/ThreadPoolExecutor$Worker.run",
     "io/netty/util/concurrent/FastThreadLocalRunnable.run",
     "java/util/concurrent/ForkJoinWorkerThread.run"},
    {"tokio::runtime::task::raw::poll",
     "tokio::runtime::scheduler::multi_thread::worker::Context::run_task",
     "hyper::server::conn::Connection<I,S>::poll", "myapp::main::{{closure}}"},
    {"<module> (app/main.py:12)", "_bootstrap_inner (threading.py:1016)",
     "run (celery/worker/worker.py:202)", "serve_forever (socketserver.py:233)"},
    {NULL, NULL, NULL, NULL},
    {"cpuidle_enter_[k]", "process_one_work_[k]", "__do_softirq_[k]", "rcu_core_[k]"},
};

static uint16_t *fn_name;                 /* function -> name id */
static uint8_t *fn_fanout;
static uint16_t (*fn_callee)[MAX_FANOUT]; /* function -> callees */
static uint32_t nfns;
static uint32_t mod_first[NMOD], mod_count[NMOD];
static uint32_t mod_rec[NMOD][NREC]; /* recursive functions (parsers, visitors) */

static void make_name(rng *r, int mod, char *b) {
  switch (mod) {
  case MOD_CXX:
    if (below(r, 100) < 2)
      snprintf(b, NAME_CAP, "[unknown]");
    else if (below(r, 100) < 25)
      snprintf(b, NAME_CAP, "std::%s::%s", PICK(r, cxx_std_class), PICK(r, cxx_std_method));
    else
      snprintf(b, NAME_CAP, "%s::%s::%s", PICK(r, cxx_ns), PICK(r, cxx_class),
               PICK(r, cxx_method));
    break;
  case MOD_GO: {
    unsigned k = below(r, 100);
    const char *p = PICK(r, go_pkg);
    if (k < 45)
      snprintf(b, NAME_CAP, "%s.%s", p, PICK(r, go_func));
    else if (k < 80)
      snprintf(b, NAME_CAP, "%s.(*%s).%s", p, PICK(r, go_type), PICK(r, go_func));
    else if (k < 92)
      snprintf(b, NAME_CAP, "%s.%s.%s", p, PICK(r, go_type), PICK(r, go_func));
    else
      snprintf(b, NAME_CAP, "%s.%s.func%u", p, PICK(r, go_func), 1 + below(r, 4));
    break;
  }
  case MOD_JAVA: {
    unsigned k = below(r, 100);
    if (k < 4)
      snprintf(b, NAME_CAP, "[unknown]");
    else if (k < 16)
      snprintf(b, NAME_CAP, "%s/%s$%s.%s", PICK(r, java_pkg), PICK(r, java_class),
               PICK(r, java_inner), PICK(r, java_method));
    else
      snprintf(b, NAME_CAP, "%s/%s.%s", PICK(r, java_pkg), PICK(r, java_class),
               PICK(r, java_method));
    break;
  }
  case MOD_RUST:
    if (below(r, 100) < 18)
      snprintf(b, NAME_CAP, "<%s::%s as %s>::%s", PICK(r, rust_path), PICK(r, rust_type),
               PICK(r, rust_trait), PICK(r, rust_method));
    else
      snprintf(b, NAME_CAP, "%s::%s::%s", PICK(r, rust_path), PICK(r, rust_type),
               PICK(r, rust_method));
    break;
  case MOD_PY: /* py-spy style: spaces inside the frame */
    snprintf(b, NAME_CAP, "%s (%s.py:%u)", PICK(r, py_func), PICK(r, py_dir),
             10 + below(r, 900));
    break;
  default: /* MOD_KERN */
    snprintf(b, NAME_CAP, "%s_%s_%s_[k]", PICK(r, kern_sub), PICK(r, kern_verb),
             PICK(r, kern_obj));
    break;
  }
}

static uint32_t add_fn(uint16_t name) {
  if (nfns % 1024 == 0) {
    fn_name = xrealloc(fn_name, (nfns + 1024) * sizeof *fn_name);
    fn_fanout = xrealloc(fn_fanout, (nfns + 1024) * sizeof *fn_fanout);
    fn_callee = xrealloc(fn_callee, (nfns + 1024) * sizeof *fn_callee);
  }
  fn_name[nfns] = name;
  fn_fanout[nfns] = 0;
  return nfns++;
}

/* Callees: a few functions a little further down the module (wrapping
 * around, past the entry points), the first one nearest. */
static void wire_module(rng *r, int mod, unsigned nentry) {
  uint32_t first = mod_first[mod], n = mod_count[mod];
  for (uint32_t i = 0; i < n; i++) {
    unsigned fan = 2 + below(r, MAX_FANOUT - 1);
    fn_fanout[first + i] = (uint8_t)fan;
    for (unsigned k = 0; k < fan; k++) {
      uint32_t gap = 1 + below(r, 3 + 10 * k);
      uint32_t j = i < nentry ? i + gap : nentry + (i - nentry + gap) % (n - nentry);
      fn_callee[first + i][k] = (uint16_t)(first + j);
    }
  }
  for (unsigned k = 0; k < NREC; k++)
    mod_rec[mod][k] = first + nentry + below(r, n - nentry);
}

/* kernel paths from the user side */
typedef struct {
  uint16_t ids[8];
  unsigned n;
} chain;
static chain sys_enter, fault_enter, irq_enter, go_bridge;
static uint16_t sys_wrapper[sizeof syscalls / sizeof *syscalls];
static uint16_t sys_entry[sizeof syscalls / sizeof *syscalls];
static uint16_t kleaf[sizeof kern_leaf / sizeof *kern_leaf];

/* processes: comm + fixed root frames, then a walk in one module */
typedef struct {
  const char *roots;
  int mod;
  unsigned weight, libc_pct, kern_pct;
} proc;
static const proc procs[] = {
    {"envoy;_start;__libc_start_main;__libc_start_call_main;main", MOD_CXX, 6, 30, 25},
    {"envoy;clone3;start_thread;execute_native_thread_routine", MOD_CXX, 16, 30, 25},
    {"api-server;runtime.goexit.abi0", MOD_GO, 18, 0, 22},
    {"java;[unknown];start_thread;thread_native_entry;Thread::call_run;"
     "JavaThread::thread_main_inner;JavaCalls::call_helper;call_stub;Interpreter",
     MOD_JAVA, 20, 10, 12},
    {"java;[unknown];start_thread;thread_native_entry;Thread::call_run;"
     "JavaThread::thread_main_inner;CompileBroker::compiler_thread_loop",
     MOD_CXX, 3, 30, 10},
    {"python3;_start;__libc_start_main;Py_BytesMain;Py_RunMain;_PyRun_SimpleFileObject",
     MOD_PY, 8, 25, 15},
    {"rust-svc;clone3;start_thread;std::sys::unix::thread::Thread::new::thread_start;"
     "tokio::runtime::scheduler::multi_thread::worker::run",
     MOD_RUST, 10, 25, 25},
    {"swapper;secondary_startup_64_no_verify_[k];start_secondary_[k];"
     "cpu_startup_entry_[k];do_idle_[k]",
     MOD_KERN, 4, 0, 0},
    {"kworker/u16:2;ret_from_fork_[k];kthread_[k];worker_thread_[k];process_one_work_[k]",
     MOD_KERN, 3, 0, 0},
};
enum { NPROC = sizeof procs / sizeof *procs };
static chain proc_roots[NPROC];
static unsigned proc_w[NPROC];

static void make_program(uint64_t seed) {
  rng r = {seed ^ 0x5eed0f9a2b3c4d5eULL};
  char buf[NAME_CAP];
  for (int m = 0; m < NMOD; m++) {
    mod_first[m] = nfns;
    if (m == MOD_LIBC) {
      for (size_t i = 0; i < sizeof libc_names / sizeof *libc_names; i++)
        add_fn(intern(libc_names[i]));
    } else {
      for (unsigned i = 0; i < mod_size[m]; i++) {
        /* a new name, unless "[unknown]"; rarely, a GCC-style clone suffix */
        int64_t id = -1;
        unsigned tries = 0;
        if (i < NENTRY && mod_entry[m][i]) {
          add_fn(intern(mod_entry[m][i]));
          continue;
        }
        do {
          make_name(&r, m, buf);
          if (strcmp(buf, "[unknown]") == 0)
            break;
          if (++tries > 20) {
            size_t n = strlen(buf);
            snprintf(buf + n, NAME_CAP - n, m == MOD_KERN ? "" : ".cold.%u", tries);
          }
          id = intern_n(buf, strlen(buf), 0);
        } while (id >= 0);
        add_fn(intern(buf));
      }
    }
    mod_count[m] = nfns - mod_first[m];
    wire_module(&r, m, m == MOD_LIBC ? 0 : NENTRY);
  }
  sys_enter.n = intern_chain("entry_SYSCALL_64_after_hwframe_[k];do_syscall_64_[k]",
                             sys_enter.ids, 8);
  fault_enter.n = intern_chain("asm_exc_page_fault_[k];exc_page_fault_[k];"
                               "do_user_addr_fault_[k];handle_mm_fault_[k];"
                               "__handle_mm_fault_[k]",
                               fault_enter.ids, 8);
  irq_enter.n = intern_chain("asm_sysvec_apic_timer_interrupt_[k];"
                             "sysvec_apic_timer_interrupt_[k];"
                             "__sysvec_apic_timer_interrupt_[k];hrtimer_interrupt_[k]",
                             irq_enter.ids, 8);
  go_bridge.n = intern_chain("syscall.Syscall;syscall.RawSyscall6;"
                             "runtime/internal/syscall.Syscall6",
                             go_bridge.ids, 8);
  for (size_t i = 0; i < sizeof syscalls / sizeof *syscalls; i++) {
    sys_wrapper[i] = intern(syscalls[i][0]);
    snprintf(buf, NAME_CAP, "__x64_sys_%s_[k]", syscalls[i][1]);
    sys_entry[i] = intern(buf);
  }
  for (size_t i = 0; i < sizeof kern_leaf / sizeof *kern_leaf; i++)
    kleaf[i] = intern(kern_leaf[i]);
  for (unsigned p = 0; p < NPROC; p++) {
    proc_roots[p].n = intern_chain(procs[p].roots, proc_roots[p].ids, 8);
    proc_w[p] = procs[p].weight;
  }
}

/* ---- one stack: a walk down the program ---- */

typedef struct {
  unsigned depth_min, depth_max;
} shape;

static const unsigned callee_w[MAX_FANOUT] = {3600, 900, 400, 225, 144, 100, 73, 56};
static const unsigned entry_w[NENTRY] = {8, 4, 2, 1};

/* Walks len frames in module mod from function cur into out; counts the
 * choices off the hot path. With rec, a recursive run of rec frames
 * (one function, or two alternating) sits in the middle. */
static unsigned walk(rng *r, uint32_t cur, unsigned len, unsigned rec, uint16_t *out,
                     unsigned *offpath) {
  unsigned n = 0, rec_at = rec ? 1 + below(r, 4) : ~0u;
  while (n < len) {
    if (n == rec_at) {
      int mod = 0;
      while (mod + 1 < NMOD && mod_first[mod + 1] <= cur)
        mod++;
      uint32_t f = mod_rec[mod][below(r, 100) < 70 ? 0 : below(r, NREC)];
      uint32_t g = fn_callee[f][0];
      int pair = below(r, 2);
      uint32_t last = f;
      for (unsigned i = 0; i < rec && n < len; i++) {
        last = pair && (i & 1) ? g : f;
        out[n++] = fn_name[last];
      }
      cur = fn_callee[last][pick(r, callee_w, fn_fanout[last])];
      continue;
    }
    out[n++] = fn_name[cur];
    unsigned k = pick(r, callee_w, fn_fanout[cur]);
    *offpath += k != 0;
    cur = fn_callee[cur][k];
  }
  return n;
}

static uint32_t module_entry(rng *r, int mod) {
  return mod_first[mod] + pick(r, entry_w, NENTRY);
}

/* Appends the kernel part of a stack: entry frames, a walk in the kernel
 * graph, usually a hot leaf. */
static unsigned kernel_tail(rng *r, int from_user, int mod, uint16_t *out, unsigned room,
                            unsigned *offpath) {
  unsigned n = 0, kind = below(r, 100);
  uint16_t tmp[32];
  uint32_t start;
  if (from_user && kind < 70) {
    unsigned s = below(r, sizeof syscalls / sizeof *syscalls);
    if (mod == MOD_GO)
      for (unsigned i = 0; i < go_bridge.n; i++)
        tmp[n++] = go_bridge.ids[i];
    else
      tmp[n++] = sys_wrapper[s];
    for (unsigned i = 0; i < sys_enter.n; i++)
      tmp[n++] = sys_enter.ids[i];
    tmp[n++] = sys_entry[s];
    start = mod_first[MOD_KERN] + NENTRY + (s * 29) % (mod_count[MOD_KERN] - NENTRY);
  } else if (from_user && kind < 90) {
    for (unsigned i = 0; i < fault_enter.n; i++)
      tmp[n++] = fault_enter.ids[i];
    start = mod_first[MOD_KERN] + NENTRY + 7;
  } else {
    for (unsigned i = 0; i < irq_enter.n; i++)
      tmp[n++] = irq_enter.ids[i];
    start = mod_first[MOD_KERN] + NENTRY + 101;
  }
  n += walk(r, start, 1 + below(r, 6), 0, tmp + n, offpath);
  if (below(r, 100) < 60)
    tmp[n++] = kleaf[pick(r, kern_leaf_w, sizeof kern_leaf_w / sizeof *kern_leaf_w)];
  if (n > room)
    n = room;
  memcpy(out, tmp, n * sizeof *tmp);
  return n;
}

/* One stack into out (MAX_DEPTH room); returns its depth. */
static unsigned gen_stack(rng *r, const shape *sh, uint16_t *out, unsigned *offpath) {
  *offpath = 0;
  const proc *p = &procs[pick(r, proc_w, NPROC)];
  const chain *roots = &proc_roots[p - procs];
  /* depth: skewed towards the low end of the range; one in 300 very deep */
  unsigned span = sh->depth_max - sh->depth_min + 1;
  uint32_t a = below(r, span), b = below(r, span), c = below(r, span);
  unsigned depth = sh->depth_min + ((a < b ? a : b) + c) / 2;
  unsigned rec = 0;
  if (below(r, 300) == 0) {
    unsigned deep_min = sh->depth_max * 5 / 3 > 100 ? sh->depth_max * 5 / 3 : 100;
    depth = deep_min + below(r, deep_min + 1);
    rec = depth * 3 / 5;
  } else if (below(r, 100) < 4) {
    rec = 2 + below(r, 5); /* short recursion */
  }
  if (depth > MAX_DEPTH)
    depth = MAX_DEPTH;

  unsigned n = 0;
  for (unsigned i = 0; i < roots->n && n + 1 < depth; i++)
    out[n++] = roots->ids[i];
  /* the leaf end: libc, the kernel, or nothing */
  uint16_t tail[64];
  unsigned nt = 0, t = below(r, 100);
  if (p->mod == MOD_KERN) {
    if (below(r, 100) < 60)
      tail[nt++] = kleaf[pick(r, kern_leaf_w, sizeof kern_leaf_w / sizeof *kern_leaf_w)];
  } else if (t < p->kern_pct) {
    nt = kernel_tail(r, 1, p->mod, tail, 48, offpath);
  } else if (t < p->kern_pct + p->libc_pct) {
    nt = walk(r, mod_first[MOD_LIBC] + below(r, mod_count[MOD_LIBC]), 1 + below(r, 3), 0,
              tail, offpath);
  }
  if (n + nt + 1 > depth) /* a short stack: keep the leaf end's first frames */
    nt = depth > n + 1 ? depth - n - 1 : 0;
  unsigned body = depth > n + nt ? depth - n - nt : 1;
  if (rec >= body)
    rec = body > 6 ? body - 6 : 0;
  n += walk(r, module_entry(r, p->mod), body, rec, out + n, offpath);
  memcpy(out + n, tail, nt * sizeof *tail);
  return n + nt;
}

/* ---- the set of distinct stacks ---- */

static uint16_t *frames; /* all stacks' name ids, back to back */
static size_t frames_len, frames_cap;
static size_t *st_off;
static uint16_t *st_depth;
static uint64_t *st_count, *st_hash;
static size_t nst, st_cap;
static uint32_t *set; /* stack index + 1, 0 = empty */
static size_t set_cap;

static uint64_t hash_stack(const uint16_t *ids, unsigned n) {
  uint64_t h = 0x243f6a8885a308d3ULL ^ n;
  for (unsigned i = 0; i < n; i++) {
    h = (h ^ ids[i]) * 0x9e3779b97f4a7c15ULL;
    h ^= h >> 29;
  }
  h *= 0xbf58476d1ce4e5b9ULL;
  return h ^ (h >> 32);
}

static void set_grow(void) {
  size_t ncap = set_cap ? set_cap * 2 : 1u << 16;
  uint32_t *ns = calloc(ncap, sizeof *ns);
  if (!ns)
    die("out of memory");
  for (size_t i = 0; i < set_cap; i++) {
    if (!set[i])
      continue;
    size_t j = st_hash[set[i] - 1] & (ncap - 1);
    while (ns[j])
      j = (j + 1) & (ncap - 1);
    ns[j] = set[i];
  }
  free(set);
  set = ns;
  set_cap = ncap;
}

/* Adds the stack if it is new; returns 1 if it was. */
static int add_stack(const uint16_t *ids, unsigned n, uint64_t count) {
  if ((nst + 1) * 2 > set_cap)
    set_grow();
  if (nst >= 0xfffffffeu)
    die("too many stacks");
  uint64_t h = hash_stack(ids, n);
  size_t j = h & (set_cap - 1);
  while (set[j]) {
    size_t s = set[j] - 1;
    if (st_hash[s] == h && st_depth[s] == n &&
        memcmp(frames + st_off[s], ids, n * sizeof *ids) == 0)
      return 0;
    j = (j + 1) & (set_cap - 1);
  }
  if (nst == st_cap) {
    st_cap = st_cap ? st_cap * 2 : 1u << 14;
    st_off = xrealloc(st_off, st_cap * sizeof *st_off);
    st_depth = xrealloc(st_depth, st_cap * sizeof *st_depth);
    st_count = xrealloc(st_count, st_cap * sizeof *st_count);
    st_hash = xrealloc(st_hash, st_cap * sizeof *st_hash);
  }
  if (frames_len + n > frames_cap) {
    frames_cap = (frames_len + n) * 2;
    frames = xrealloc(frames, frames_cap * sizeof *frames);
  }
  memcpy(frames + frames_len, ids, n * sizeof *ids);
  st_off[nst] = frames_len;
  st_depth[nst] = (uint16_t)n;
  st_count[nst] = count;
  st_hash[nst] = h;
  frames_len += n;
  set[j] = (uint32_t)(nst + 1);
  nst++;
  return 1;
}

/* Zipf: P(count >= c) is about 1/c; hot-path stacks are hotter still. */
static uint64_t draw_count(rng *r, unsigned offpath) {
  uint64_t u = rnext(r) >> 11;
  uint64_t c = (UINT64_C(1) << 53) / (u + 1);
  if (c > 1000000)
    c = 1000000;
  if (offpath < 3)
    c <<= 3 - offpath;
  return c;
}

static unsigned digits(uint64_t v) {
  unsigned d = 1;
  while (v >= 10) {
    v /= 10;
    d++;
  }
  return d;
}

static size_t line_bytes(const uint16_t *ids, unsigned n, uint64_t count) {
  size_t b = n + 1 + digits(count); /* separators, space and newline */
  for (unsigned i = 0; i < n; i++)
    b += name_len[ids[i]];
  return b;
}

/* ---- output ---- */

static char obuf[1 << 20];
static size_t olen;

static void oflush(void) {
  if (olen && fwrite(obuf, 1, olen, stdout) != olen)
    die("write error");
  olen = 0;
}

/* the line of stack s without its newline into dst; returns the length */
static size_t format_line(size_t s, unsigned from, char *dst) {
  size_t n = 0;
  const uint16_t *ids = frames + st_off[s];
  for (unsigned i = from; i < st_depth[s]; i++) {
    if (i > from)
      dst[n++] = ';';
    memcpy(dst + n, pool + name_off[ids[i]], name_len[ids[i]]);
    n += name_len[ids[i]];
  }
  n += (size_t)sprintf(dst + n, " %llu", (unsigned long long)st_count[s]);
  return n;
}

static char *cmp_a, *cmp_b; /* two line buffers for the sort */

/* bytewise order of the two lines, without making them in the usual case */
static int cmp_stack(const void *pa, const void *pb) {
  size_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
  const uint16_t *x = frames + st_off[a], *y = frames + st_off[b];
  unsigned na = st_depth[a], nb = st_depth[b], i = 0;
  while (i < na && i < nb && x[i] == y[i])
    i++;
  if (i == na || i == nb) /* one is a prefix: ' ' sorts before ';' */
    return na == nb ? 0 : i == na ? -1 : 1;
  const char *sa = pool + name_off[x[i]], *sb = pool + name_off[y[i]];
  size_t la = name_len[x[i]], lb = name_len[y[i]];
  int c = memcmp(sa, sb, la < lb ? la : lb);
  if (c)
    return c;
  /* one name is a prefix of the other: compare the rest of the lines */
  size_t ma = format_line(a, i, cmp_a), mb = format_line(b, i, cmp_b);
  c = memcmp(cmp_a, cmp_b, ma < mb ? ma : mb);
  return c ? c : (ma > mb) - (ma < mb);
}

/* ---- main ---- */

static int parse_u64(const char *s, uint64_t *v) {
  char *end;
  if (!s || *s < '0' || *s > '9')
    return 0;
  *v = strtoull(s, &end, 10);
  return *end == '\0';
}

static void usage(FILE *f) {
  fputs("usage: gen_folded (--stacks N | --target-bytes B) [--seed S]\n"
        "                  [--sorted | --shuffled] [--repeat K]\n"
        "                  [--depth-min D] [--depth-max D] [--avg-line-bytes L]\n",
        f);
}

/* average line length of sample stacks of this shape (not kept) */
static double sample_line_bytes(uint64_t seed, const shape *sh) {
  rng r = {seed ^ 0xa5a5a5a5deadbeefULL};
  static uint16_t ids[MAX_DEPTH];
  uint64_t total = 0;
  enum { SAMPLES = 4000 };
  for (unsigned i = 0; i < SAMPLES; i++) {
    unsigned off, n = gen_stack(&r, sh, ids, &off);
    total += line_bytes(ids, n, draw_count(&r, off));
  }
  return (double)total / SAMPLES;
}

int main(int argc, char **argv) {
  uint64_t stacks = 0, target = 0, seed = 1, repeat = 1, dmin = 10, dmax = 60, avg = 0;
  int sorted = 0;
  for (int i = 1; i < argc; i++) {
    const char *o = argv[i];
    uint64_t *dst = NULL;
    if (!strcmp(o, "--sorted")) {
      sorted = 1;
      continue;
    } else if (!strcmp(o, "--shuffled")) {
      sorted = 0;
      continue;
    } else if (!strcmp(o, "--version")) {
      puts(GEN_VERSION);
      return 0;
    } else if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(o, "--stacks"))
      dst = &stacks;
    else if (!strcmp(o, "--target-bytes") || !strcmp(o, "--bytes"))
      dst = &target;
    else if (!strcmp(o, "--seed"))
      dst = &seed;
    else if (!strcmp(o, "--repeat"))
      dst = &repeat;
    else if (!strcmp(o, "--depth-min") || !strcmp(o, "--min-depth"))
      dst = &dmin;
    else if (!strcmp(o, "--depth-max") || !strcmp(o, "--max-depth"))
      dst = &dmax;
    else if (!strcmp(o, "--avg-line-bytes"))
      dst = &avg;
    if (!dst || i + 1 >= argc || !parse_u64(argv[i + 1], dst)) {
      fprintf(stderr, "gen_folded: bad or unknown option %s\n", o);
      usage(stderr);
      return 2;
    }
    i++;
  }
  if ((!stacks && !target) || (stacks && target) || !repeat || dmin < 1 || dmax < dmin ||
      dmax > MAX_DEPTH / 4) {
    usage(stderr);
    return 2;
  }
  make_program(seed);
  shape sh = {(unsigned)dmin, (unsigned)dmax};
  if (avg) { /* scale the depth range until sample lines are about avg long */
    for (int it = 0; it < 6; it++) {
      double f = (double)avg / sample_line_bytes(seed, &sh);
      double lo = sh.depth_min * f, hi = sh.depth_max * f;
      sh.depth_min = lo < 1 ? 1 : lo > MAX_DEPTH / 4 ? MAX_DEPTH / 4 : (unsigned)(lo + 0.5);
      sh.depth_max = hi < sh.depth_min ? sh.depth_min
                     : hi > MAX_DEPTH / 4 ? MAX_DEPTH / 4
                                          : (unsigned)(hi + 0.5);
    }
  }

  rng r = {seed};
  static uint16_t ids[MAX_DEPTH];
  uint64_t bytes = 0, rejected = 0;
  unsigned maxdepth = 0;
  while (stacks ? nst < stacks : bytes < target) {
    unsigned off, n = gen_stack(&r, &sh, ids, &off);
    uint64_t count = draw_count(&r, off);
    if (!add_stack(ids, n, count)) {
      if (++rejected > 50 * (nst + 1000))
        die("cannot find enough distinct stacks of this depth (raise --depth-max)");
      continue;
    }
    bytes += line_bytes(ids, n, count);
    if (n > maxdepth)
      maxdepth = n;
  }
  free(set);

  uint32_t *order = xrealloc(NULL, (nst ? nst : 1) * sizeof *order);
  for (size_t i = 0; i < nst; i++)
    order[i] = (uint32_t)i;
  size_t line_cap = (size_t)maxdepth * NAME_CAP + 32;
  char *line = xrealloc(NULL, line_cap);
  if (sorted) {
    cmp_a = xrealloc(NULL, line_cap);
    cmp_b = xrealloc(NULL, line_cap);
    qsort(order, nst, sizeof *order, cmp_stack);
  }
  for (uint64_t k = 0; k < repeat; k++)
    for (size_t i = 0; i < nst; i++) {
      size_t n = format_line(order[i], 0, line);
      line[n++] = '\n';
      if (olen + n > sizeof obuf)
        oflush();
      if (n > sizeof obuf) {
        if (fwrite(line, 1, n, stdout) != n)
          die("write error");
      } else {
        memcpy(obuf + olen, line, n);
        olen += n;
      }
    }
  oflush();
  if (fflush(stdout) != 0)
    die("write error");
  fprintf(stderr,
          "gen_folded: %zu distinct stacks, %llu bytes x %llu, depth %u-%u (max %u), "
          "%u names, %llu duplicate walks skipped\n",
          nst, (unsigned long long)bytes, (unsigned long long)repeat, sh.depth_min,
          sh.depth_max, maxdepth, nnames, (unsigned long long)rejected);
  return 0;
}
