/*
 * runner.c: pg_spec, the WebAssembly spec-testsuite runner.
 *
 *   pg_spec [--max-shown N] [--verbose] [--expect-total N]
 *           [--max-skipped N] [--fuel-slice N [--max-fuel N]] FILE.json...
 *
 * Each FILE.json is what `wast2json FILE.wast` writes: a list of commands
 * (module, register, action, assert_*) and the binary modules beside it.
 * The runner executes every command through the engine's public API only
 * (parigot/engine.h), prints one line per failing command with the .wast
 * file and line, expected and actual values, then per file
 * "FILE: N passed, N failed, N skipped", a table by command kind, and last
 * "N passed, N failed, N skipped" over all files. It exits 1 if anything
 * failed. Text-format modules (assert_malformed/assert_invalid with
 * "module_type": "text") are skipped: parigot has no text parser.
 *
 * An engine error is a failed command, never a crash of the runner; every
 * field of the json is checked before use.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "parigot/engine.h"
#include "spectest.h"
#include "values.h"

#define MAX_VALUES 256      /* arguments or results of one action */
#define MAX_FILE (1u << 28) /* refuse json/wasm files above 256 MiB */
/* With --fuel-slice: the default fuel one command may use before it counts
 * as hung (--max-fuel). The heaviest spec command uses well under 10^8. */
#define DEFAULT_MAX_FUEL UINT64_C(10000000000)

/* ------------------------------------------------------------ bookkeeping */

#define CMD_KIND_MAP(XX)                             \
  XX(MODULE, "module")                               \
  XX(REGISTER, "register")                           \
  XX(ACTION, "action")                               \
  XX(ASSERT_RETURN, "assert_return")                 \
  XX(ASSERT_TRAP, "assert_trap")                     \
  XX(ASSERT_EXHAUSTION, "assert_exhaustion")         \
  XX(ASSERT_INVALID, "assert_invalid")               \
  XX(ASSERT_MALFORMED, "assert_malformed")           \
  XX(ASSERT_UNLINKABLE, "assert_unlinkable")         \
  XX(ASSERT_UNINSTANTIABLE, "assert_uninstantiable") \
  XX(UNKNOWN, "(unknown command)")                   \
  XX(FILE, "(json file)")

typedef enum cmd_kind {
#define CMD_ENUM_(name, text) CMD_##name,
  CMD_KIND_MAP(CMD_ENUM_)
#undef CMD_ENUM_
      CMD_COUNT_
} cmd_kind;

static const char *const cmd_names[CMD_COUNT_] = {
#define CMD_NAME_(name, text) text,
    CMD_KIND_MAP(CMD_NAME_)
#undef CMD_NAME_
};

typedef enum outcome { OUTCOME_PASS, OUTCOME_FAIL, OUTCOME_SKIP } outcome;

typedef struct counts {
  unsigned long passed, failed, skipped;
} counts;

static void count(counts *c, outcome o) {
  if (o == OUTCOME_PASS)
    c->passed++;
  else if (o == OUTCOME_FAIL)
    c->failed++;
  else
    c->skipped++;
}

typedef struct options {
  unsigned long max_shown; /* failure lines printed per file */
  bool verbose;            /* also print passing commands */
  long expect_total;       /* commands the run must hold; -1 = any */
  long max_skipped;        /* skipped commands allowed; -1 = any */
  uint64_t fuel_slice;     /* run invokes in slices of this much fuel; 0 = no */
  uint64_t max_fuel;       /* with fuel_slice: fuel one invoke may use */
} options;

typedef struct named_instance {
  char *name;        /* owned: the script's "$name" */
  pg_instance *inst; /* borrowed from script.instances */
} named_instance;

/* State of one script while it runs. Instances live until the script ends:
 * the linker borrows registered ones, and tables may hold their functions. */
typedef struct script {
  const options *opts;     /* borrowed */
  char wast[256];          /* source file's base name, for messages */
  char *dir;               /* owned: folder of the json (module files) */
  pg_linker *linker;       /* owned */
  pg_spectest *spectest;   /* owned; freed after the instances */
  pg_instance **instances; /* owned, ninstances of them */
  size_t ninstances, instances_cap;
  named_instance *names; /* owned, nnames of them */
  size_t nnames, names_cap;
  pg_instance *current; /* the last module; NULL after it failed */
  counts total;
  counts by_kind[CMD_COUNT_];
  unsigned long fuel_resumes; /* resumes after a fuel slice ran out */
} script;

/* One command being run. */
typedef struct command {
  script *s;           /* borrowed */
  const pg_json *json; /* borrowed */
  long line;
  cmd_kind kind;
} command;

static void fail_line(const command *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints the failure line "FILE.wast:LINE: kind: ..." (up to max_shown). */
static void fail_line(const command *c, const char *fmt, ...) {
  script *s = c->s;
  if (s->total.failed >= s->opts->max_shown) {
    if (s->total.failed == s->opts->max_shown)
      printf("%s: more failures not shown (--max-shown %lu)\n", s->wast,
             s->opts->max_shown);
    return;
  }
  printf("%s:%ld: %s: ", s->wast, c->line, cmd_names[c->kind]);
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
}

/* --------------------------------------------------------------- files */

/* Reads a whole file into a malloc'd buffer (owned by the caller). */
static bool read_file(const char *path, uint8_t **out, size_t *len, char *err,
                      size_t errlen) {
  uint8_t *buf = NULL;
  errno = 0;
  FILE *f = fopen(path, "rb");
  if (!f) goto fail;
  if (fseek(f, 0, SEEK_END) != 0) goto fail;
  long size = ftell(f);
  if (size < 0 || (unsigned long)size > MAX_FILE) goto fail;
  if (fseek(f, 0, SEEK_SET) != 0) goto fail;
  buf = malloc((size_t)size + 1);
  if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) goto fail;
  fclose(f);
  buf[size] = 0;
  *out = buf;
  *len = (size_t)size;
  return true;
fail:
  snprintf(err, errlen, "cannot read %s: %s", path,
           errno ? strerror(errno) : "too large or unreadable");
  free(buf);
  if (f) fclose(f);
  return false;
}

static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  size_t n = slash ? (size_t)(slash - path) : 1;
  char *dir = malloc(n + 1);
  if (!dir) return NULL;
  memcpy(dir, slash ? path : ".", n);
  dir[n] = '\0';
  return dir;
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

/* Reads and decodes the module named by the command's "filename". Returns
 * the engine's status, or PG_IO / PG_BAD_ARG when the file is missing. */
static pg_status load_module(const command *c, pg_module **out, char *err,
                             size_t errlen) {
  const char *file = pg_json_get_string(c->json, "filename");
  if (!file || !*file || strchr(file, '/')) {
    snprintf(err, errlen, "command has no usable \"filename\"");
    return PG_BAD_ARG;
  }
  size_t plen = strlen(c->s->dir) + strlen(file) + 2;
  char *path = malloc(plen);
  if (!path) {
    snprintf(err, errlen, "runner out of memory");
    return PG_NOMEM;
  }
  snprintf(path, plen, "%s/%s", c->s->dir, file);
  uint8_t *bytes = NULL;
  size_t len = 0;
  bool ok = read_file(path, &bytes, &len, err, errlen);
  free(path);
  if (!ok) return PG_IO;
  pg_status st = pg_module_new(out, bytes, len, err, errlen);
  free(bytes);
  return st;
}

/* ----------------------------------------------------------- instances */

static bool keep_instance(script *s, pg_instance *inst) {
  if (s->ninstances == s->instances_cap) {
    size_t cap = s->instances_cap ? s->instances_cap * 2 : 16;
    pg_instance **grown = realloc(s->instances, cap * sizeof *grown);
    if (!grown) return false;
    s->instances = grown;
    s->instances_cap = cap;
  }
  s->instances[s->ninstances++] = inst;
  return true;
}

static bool set_name(script *s, const char *name, pg_instance *inst) {
  for (size_t i = 0; i < s->nnames; i++)
    if (strcmp(s->names[i].name, name) == 0) {
      s->names[i].inst = inst;
      return true;
    }
  if (s->nnames == s->names_cap) {
    size_t cap = s->names_cap ? s->names_cap * 2 : 8;
    named_instance *grown = realloc(s->names, cap * sizeof *grown);
    if (!grown) return false;
    s->names = grown;
    s->names_cap = cap;
  }
  char *copy = strdup(name);
  if (!copy) return false;
  s->names[s->nnames++] = (named_instance){copy, inst};
  return true;
}

/* The instance a command means: its "module"/"name" field, else current. */
static pg_instance *target_instance(script *s, const char *name, char *why,
                                    size_t whylen) {
  if (!name) {
    if (!s->current) snprintf(why, whylen, "no current module");
    return s->current;
  }
  for (size_t i = 0; i < s->nnames; i++)
    if (strcmp(s->names[i].name, name) == 0) return s->names[i].inst;
  snprintf(why, whylen, "no module named %s", name);
  return NULL;
}

/* ------------------------------------------------------------- actions */

typedef struct action_result {
  pg_status status;
  size_t nresults;
  pg_val results[MAX_VALUES];
  pg_trap_kind trap;
  char message[512]; /* trap message, or other detail */
  char what[512];    /* "invoke add(i32:1, ...)" for failure lines */
} action_result;

static bool parse_args(const pg_json *args, pg_val *out, size_t *n, char *why,
                       size_t whylen) {
  if (pg_json_type_of(args) != PG_JSON_ARRAY) {
    snprintf(why, whylen, "action has no \"args\" array");
    return false;
  }
  *n = pg_json_count(args);
  if (*n > MAX_VALUES) {
    snprintf(why, whylen, "too many args (%zu)", *n);
    return false;
  }
  for (size_t i = 0; i < *n; i++)
    if (!pg_spec_parse_arg(pg_json_at(args, i), &out[i], why, whylen))
      return false;
  return true;
}

static void describe_invoke(action_result *r, const char *field,
                            const pg_val *args, size_t n) {
  size_t used =
      (size_t)snprintf(r->what, sizeof r->what, "invoke \"%s\"(", field);
  for (size_t i = 0; i < n && used < sizeof r->what; i++) {
    char v[96];
    pg_spec_format_val(&args[i], v, sizeof v);
    used += (size_t)snprintf(r->what + used, sizeof r->what - used, "%s%s",
                             i ? ", " : "", v);
  }
  if (used < sizeof r->what)
    snprintf(r->what + used, sizeof r->what - used, ")");
}

/* Finishes r after the engine returned: results, or trap details. */
static void collect(pg_instance *inst, action_result *r) {
  if (r->status == PG_OK) {
    /* The true count; check_results refuses counts above MAX_VALUES. */
    r->nresults = pg_instance_results(inst, r->results, MAX_VALUES);
  } else if (r->status == PG_TRAP) {
    r->trap = pg_instance_trap_kind(inst);
    const char *msg = pg_instance_trap_message(inst);
    snprintf(r->message, sizeof r->message, "%s", msg ? msg : "");
  } else if (r->status == PG_YIELD || r->status == PG_OUT_OF_FUEL) {
    pg_instance_abort(inst); /* spectest never yields; leave it idle */
  }
}

/* Invokes fn. With --fuel-slice N the call runs N units of fuel at a time,
 * each slice ending in PG_OUT_OF_FUEL and a resume, which puts the engine's
 * preemption path under every command of the suite. Gives up (leaving
 * PG_OUT_OF_FUEL, reported as a failure) after --max-fuel in all. */
static pg_status run_invoke(script *s, pg_instance *inst, const pg_func *fn,
                            const pg_val *args, size_t nargs) {
  const options *o = s->opts;
  if (o->fuel_slice == 0) return pg_instance_invoke(inst, fn, args, nargs);
  uint64_t used = o->fuel_slice;
  pg_instance_set_fuel(inst, o->fuel_slice);
  pg_status st = pg_instance_invoke(inst, fn, args, nargs);
  while (st == PG_OUT_OF_FUEL && used < o->max_fuel) {
    pg_instance_set_fuel(inst, o->fuel_slice);
    used += o->fuel_slice;
    s->fuel_resumes++;
    st = pg_instance_resume(inst, NULL, 0);
  }
  pg_instance_set_fuel(inst, 0); /* unlimited again */
  return st;
}

static bool invoke(const command *c, pg_instance *inst, const pg_json *action,
                   action_result *r, char *why, size_t whylen) {
  size_t field_len = 0;
  const char *field = pg_json_string(pg_json_get(action, "field"), &field_len);
  pg_val args[MAX_VALUES];
  size_t nargs = 0;
  if (!field) {
    snprintf(why, whylen, "invoke without a \"field\"");
    return false;
  }
  if (!parse_args(pg_json_get(action, "args"), args, &nargs, why, whylen))
    return false;
  describe_invoke(r, field, args, nargs);
  /* By length: export names may contain NUL (names.wast). */
  pg_extern ext;
  const pg_func *fn = NULL;
  if (pg_instance_export_n(inst, field, field_len, &ext) == PG_OK &&
      ext.kind == PG_EXTERN_FUNC)
    fn = ext.of.func;
  if (!fn) {
    snprintf(why, whylen, "%s: no exported function \"%s\"", r->what, field);
    return false;
  }
  if (pg_func_param_count(fn) != nargs) {
    snprintf(why, whylen, "%s: export takes %u params, script passes %zu",
             r->what, pg_func_param_count(fn), nargs);
    return false;
  }
  r->status = run_invoke(c->s, inst, fn, args, nargs);
  collect(inst, r);
  return true;
}

static bool get_global(pg_instance *inst, const pg_json *action,
                       action_result *r, char *why, size_t whylen) {
  size_t field_len = 0;
  const char *field = pg_json_string(pg_json_get(action, "field"), &field_len);
  pg_extern ext;
  if (!field) {
    snprintf(why, whylen, "get without a \"field\"");
    return false;
  }
  snprintf(r->what, sizeof r->what, "get \"%s\"", field);
  if (pg_instance_export_n(inst, field, field_len, &ext) != PG_OK ||
      ext.kind != PG_EXTERN_GLOBAL || !ext.of.global) {
    snprintf(why, whylen, "%s: no exported global", r->what);
    return false;
  }
  r->status = PG_OK;
  r->results[0] = pg_global_get(ext.of.global);
  r->nresults = 1;
  return true;
}

/* Performs the command's "action". Returns false (reason in why) when it
 * cannot even be attempted; the engine's verdict is in r otherwise. */
static bool run_action(const command *c, action_result *r, char *why,
                       size_t whylen) {
  const pg_json *action = pg_json_get(c->json, "action");
  const char *type = pg_json_get_string(action, "type");
  r->status = PG_OK;
  r->nresults = 0;
  r->trap = PG_TRAP_NONE;
  r->message[0] = r->what[0] = '\0';
  if (!type) {
    snprintf(why, whylen, "command has no action");
    return false;
  }
  pg_instance *inst =
      target_instance(c->s, pg_json_get_string(action, "module"), why, whylen);
  if (!inst) return false;
  if (strcmp(type, "invoke") == 0)
    return invoke(c, inst, action, r, why, whylen);
  if (strcmp(type, "get") == 0) return get_global(inst, action, r, why, whylen);
  snprintf(why, whylen, "unknown action type \"%s\"", type);
  return false;
}

/* Text for a non-OK status: the trap message, or the status name. */
static void describe_status(const action_result *r, char *buf, size_t len) {
  if (r->status == PG_TRAP)
    snprintf(buf, len, "trap \"%s\" (kind \"%s\")", r->message,
             pg_trap_kind_str(r->trap));
  else
    snprintf(buf, len, "status %s", pg_status_str(r->status));
}

/* ----------------------------------------------------- trap text matching */

/* The spec's trap text, cut to the engine's trap kind it starts with
 * ("uninitialized element 2" -> "uninitialized element"), so an engine
 * message only has to name the same kind, not copy every detail. */
static size_t trap_core_len(const char *expected) {
  size_t n = strlen(expected);
  for (int k = PG_TRAP_NONE + 1; k < PG_TRAP_COUNT_; k++) {
    const char *kind = pg_trap_kind_str((pg_trap_kind)k);
    size_t kl = strlen(kind);
    if (kl > 0 && kl < n && strncmp(expected, kind, kl) == 0) return kl;
  }
  return n;
}

static bool text_names_trap(const char *got, const char *expected) {
  size_t n = trap_core_len(expected);
  if (!got || n == 0) return false;
  for (const char *p = got; *p; p++)
    if (strncmp(p, expected, n) == 0) return true;
  return false;
}

/* A trapped action matches if its kind's text or its message names the
 * expected trap. */
static bool trap_matches(const action_result *r, const char *expected) {
  return text_names_trap(pg_trap_kind_str(r->trap), expected) ||
         text_names_trap(r->message, expected);
}

/* ------------------------------------------------------------- commands */

static outcome check_results(const command *c, const action_result *r) {
  const pg_json *expected = pg_json_get(c->json, "expected");
  size_t n = pg_json_count(expected);
  char why[256];
  if (pg_json_type_of(expected) != PG_JSON_ARRAY) {
    fail_line(c, "%s: command has no \"expected\" array", r->what);
    return OUTCOME_FAIL;
  }
  if (r->nresults > MAX_VALUES) {
    fail_line(c, "%s: %zu results, more than the runner handles (%d)", r->what,
              r->nresults, MAX_VALUES);
    return OUTCOME_FAIL;
  }
  if (n != r->nresults) {
    fail_line(c, "%s: expected %zu results, got %zu", r->what, n, r->nresults);
    return OUTCOME_FAIL;
  }
  for (size_t i = 0; i < n; i++) {
    pg_spec_expected want;
    if (!pg_spec_parse_expected(pg_json_at(expected, i), &want, why,
                                sizeof why)) {
      fail_line(c, "%s: result %zu: %s", r->what, i, why);
      return OUTCOME_FAIL;
    }
    if (!pg_spec_matches(&want, &r->results[i])) {
      char w[128], g[128];
      pg_spec_format_expected(&want, w, sizeof w);
      pg_spec_format_val(&r->results[i], g, sizeof g);
      fail_line(c, "%s: result %zu: expected %s, got %s", r->what, i, w, g);
      return OUTCOME_FAIL;
    }
  }
  return OUTCOME_PASS;
}

/* action and assert_return: the action must finish with the expected
 * results ("action" usually expects none). */
static outcome cmd_return(const command *c) {
  action_result *r = malloc(sizeof *r);
  char why[512], st[600];
  outcome o = OUTCOME_FAIL;
  if (!r) {
    fail_line(c, "out of memory");
    return OUTCOME_FAIL;
  }
  if (!run_action(c, r, why, sizeof why)) {
    fail_line(c, "%s", why);
  } else if (r->status != PG_OK) {
    describe_status(r, st, sizeof st);
    fail_line(c, "%s: expected a return, got %s", r->what, st);
  } else {
    o = check_results(c, r);
  }
  free(r);
  return o;
}

/* assert_trap / assert_exhaustion on an action. */
static outcome cmd_action_trap(const command *c) {
  const char *text = pg_json_get_string(c->json, "text");
  action_result *r = malloc(sizeof *r);
  char why[512], st[600];
  outcome o = OUTCOME_FAIL;
  if (!r || !text) {
    fail_line(c, r ? "command has no \"text\"" : "out of memory");
    free(r);
    return OUTCOME_FAIL;
  }
  if (!run_action(c, r, why, sizeof why)) {
    fail_line(c, "%s", why);
  } else if (r->status == PG_OK) {
    char g[128] = "no results";
    if (r->nresults) pg_spec_format_val(&r->results[0], g, sizeof g);
    fail_line(c, "%s: expected trap \"%s\", got a return (%s)", r->what, text,
              g);
  } else if (r->status != PG_TRAP || !trap_matches(r, text)) {
    describe_status(r, st, sizeof st);
    fail_line(c, "%s: expected trap \"%s\", got %s", r->what, text, st);
  } else {
    o = OUTCOME_PASS;
  }
  free(r);
  return o;
}

/* Instantiates a decoded module (consumed: the instance keeps its own
 * reference) and keeps the instance alive until the script ends. */
static pg_status instantiate(script *s, pg_module *m, pg_instance **out,
                             char *err, size_t errlen) {
  pg_instance *inst = NULL;
  pg_status st = pg_instance_new(&inst, m, s->linker, NULL, err, errlen);
  pg_module_free(m);
  if (st != PG_OK) return st;
  if (!keep_instance(s, inst)) {
    pg_instance_free(inst);
    snprintf(err, errlen, "runner out of memory");
    return PG_NOMEM;
  }
  *out = inst;
  return PG_OK;
}

static outcome cmd_module(const command *c) {
  script *s = c->s;
  char err[512] = "";
  pg_module *m = NULL;
  pg_instance *inst = NULL;
  const char *name = pg_json_get_string(c->json, "name");
  s->current = NULL;
  pg_status st = load_module(c, &m, err, sizeof err);
  if (st != PG_OK) {
    fail_line(c, "decoding: %s: %s", pg_status_str(st), err);
    return OUTCOME_FAIL;
  }
  st = instantiate(s, m, &inst, err, sizeof err);
  if (st != PG_OK) {
    fail_line(c, "instantiating: %s: %s", pg_status_str(st), err);
    return OUTCOME_FAIL;
  }
  s->current = inst;
  if (name && !set_name(s, name, inst)) {
    fail_line(c, "runner out of memory");
    return OUTCOME_FAIL;
  }
  return OUTCOME_PASS;
}

static outcome cmd_register(const command *c) {
  char why[256];
  const char *as = pg_json_get_string(c->json, "as");
  pg_instance *inst = target_instance(c->s, pg_json_get_string(c->json, "name"),
                                      why, sizeof why);
  if (!as) snprintf(why, sizeof why, "register without \"as\"");
  if (!as || !inst) {
    fail_line(c, "%s", why);
    return OUTCOME_FAIL;
  }
  pg_status st = pg_linker_define_instance(c->s->linker, as, inst);
  if (st != PG_OK) {
    fail_line(c, "registering as \"%s\": %s", as, pg_status_str(st));
    return OUTCOME_FAIL;
  }
  return OUTCOME_PASS;
}

static bool is_text_module(const command *c) {
  const char *type = pg_json_get_string(c->json, "module_type");
  return type && strcmp(type, "text") == 0;
}

/* assert_invalid / assert_malformed: decoding must fail with `want`. */
static outcome cmd_bad_module(const command *c, pg_status want) {
  char err[512] = "";
  pg_module *m = NULL;
  const char *text = pg_json_get_string(c->json, "text");
  if (is_text_module(c)) return OUTCOME_SKIP;
  pg_status st = load_module(c, &m, err, sizeof err);
  if (st == want) return OUTCOME_PASS;
  if (st == PG_OK) {
    pg_module_free(m);
    snprintf(err, sizeof err, "the module decoded and validated");
  }
  fail_line(c, "expected %s (\"%s\"), got %s: %s", pg_status_str(want),
            text ? text : "", pg_status_str(st), err);
  return OUTCOME_FAIL;
}

/* assert_unlinkable / assert_uninstantiable / assert_trap on a module: the
 * module must decode, and instantiating must fail with `want`. */
static outcome cmd_failing_instance(const command *c, pg_status want) {
  char err[512] = "";
  pg_module *m = NULL;
  pg_instance *inst = NULL;
  const char *text = pg_json_get_string(c->json, "text");
  pg_status st = load_module(c, &m, err, sizeof err);
  if (st != PG_OK) {
    fail_line(c, "decoding: %s: %s", pg_status_str(st), err);
    return OUTCOME_FAIL;
  }
  st = instantiate(c->s, m, &inst, err, sizeof err);
  if (st == PG_OK) snprintf(err, sizeof err, "the module instantiated");
  if (st != want) {
    fail_line(c, "expected %s (\"%s\"), got %s: %s", pg_status_str(want),
              text ? text : "", pg_status_str(st), err);
    return OUTCOME_FAIL;
  }
  if (want == PG_TRAP && text && !text_names_trap(err, text)) {
    fail_line(c, "expected trap \"%s\", got trap \"%s\"", text, err);
    return OUTCOME_FAIL;
  }
  return OUTCOME_PASS;
}

static cmd_kind kind_of(const char *type) {
  for (int k = 0; type && k < CMD_UNKNOWN; k++)
    if (strcmp(cmd_names[k], type) == 0) return (cmd_kind)k;
  return CMD_UNKNOWN;
}

static outcome run_command(const command *c) {
  switch (c->kind) {
    case CMD_MODULE: return cmd_module(c);
    case CMD_REGISTER: return cmd_register(c);
    case CMD_ACTION:
    case CMD_ASSERT_RETURN: return cmd_return(c);
    case CMD_ASSERT_EXHAUSTION: return cmd_action_trap(c);
    case CMD_ASSERT_TRAP:
      if (pg_json_get(c->json, "action")) return cmd_action_trap(c);
      return cmd_failing_instance(c, PG_TRAP);
    case CMD_ASSERT_INVALID: return cmd_bad_module(c, PG_INVALID);
    case CMD_ASSERT_MALFORMED: return cmd_bad_module(c, PG_MALFORMED);
    case CMD_ASSERT_UNLINKABLE: return cmd_failing_instance(c, PG_UNLINKABLE);
    case CMD_ASSERT_UNINSTANTIABLE: return cmd_failing_instance(c, PG_TRAP);
    default: {
      const char *type = pg_json_get_string(c->json, "type");
      fail_line(c, "unknown command type \"%s\"", type ? type : "(missing)");
      return OUTCOME_FAIL;
    }
  }
}

/* --------------------------------------------------------------- scripts */

static void record(script *s, cmd_kind kind, outcome o) {
  count(&s->total, o);
  count(&s->by_kind[kind], o);
}

static void run_commands(script *s, const pg_json *commands) {
  for (size_t i = 0; i < pg_json_count(commands); i++) {
    const pg_json *json = pg_json_at(commands, i);
    double line = 0;
    pg_json_number(pg_json_get(json, "line"), &line);
    command c = {s, json, (long)line,
                 kind_of(pg_json_get_string(json, "type"))};
    outcome o = run_command(&c);
    if (s->opts->verbose && o != OUTCOME_FAIL)
      printf("%s:%ld: %s: %s\n", s->wast, c.line, cmd_names[c.kind],
             o == OUTCOME_PASS ? "ok" : "skipped");
    record(s, c.kind, o);
  }
}

/* A failure of the json file itself (unreadable, not json, no commands). */
static void file_failure(script *s, const char *why) {
  command c = {s, NULL, 0, CMD_FILE};
  fail_line(&c, "%s", why);
  record(s, CMD_FILE, OUTCOME_FAIL);
}

static bool setup_script(script *s, const char *json_path, char *err,
                         size_t errlen) {
  snprintf(s->wast, sizeof s->wast, "%s", base_name(json_path));
  s->dir = dir_of(json_path);
  if (!s->dir || pg_linker_new(&s->linker) != PG_OK) {
    snprintf(err, errlen, "out of memory");
    return false;
  }
  if (pg_spectest_new(&s->spectest, s->linker, err, errlen) != PG_OK) {
    pg_linker_free(s->linker);
    s->linker = NULL;
    return false;
  }
  return true;
}

static void teardown_script(script *s) {
  for (size_t i = s->ninstances; i-- > 0;) pg_instance_free(s->instances[i]);
  free(s->instances);
  for (size_t i = 0; i < s->nnames; i++) free(s->names[i].name);
  free(s->names);
  pg_linker_free(s->linker);
  pg_spectest_free(s->spectest);
  free(s->dir);
}

/* Parses the json file; on success *root is owned by the caller. */
static bool load_json(const char *path, pg_json **root, char *err,
                      size_t errlen) {
  uint8_t *text = NULL;
  size_t len = 0;
  if (!read_file(path, &text, &len, err, errlen)) return false;
  char why[256];
  bool ok = pg_json_parse(root, (const char *)text, len, why, sizeof why);
  if (!ok) snprintf(err, errlen, "%s is not valid json: %s", path, why);
  free(text);
  return ok;
}

static void run_script(script *s, const char *json_path) {
  char err[512] = "";
  pg_json *root = NULL;
  if (!setup_script(s, json_path, err, sizeof err)) {
    file_failure(s, err);
    goto done;
  }
  if (!load_json(json_path, &root, err, sizeof err)) {
    file_failure(s, err);
    goto done;
  }
  const char *source = pg_json_get_string(root, "source_filename");
  if (source) snprintf(s->wast, sizeof s->wast, "%s", base_name(source));
  const pg_json *commands = pg_json_get(root, "commands");
  if (pg_json_type_of(commands) != PG_JSON_ARRAY) {
    file_failure(s, "no \"commands\" array");
    goto done;
  }
  fflush(stdout);
  run_commands(s, commands);
done:
  printf("%s: %lu passed, %lu failed, %lu skipped\n", s->wast, s->total.passed,
         s->total.failed, s->total.skipped);
  fflush(stdout);
  teardown_script(s);
  pg_json_free(root);
}

/* ------------------------------------------------------------------ main */

static void print_table(const counts by_kind[CMD_COUNT_], const counts *all) {
  printf("\n%-24s %8s %8s %8s\n", "command", "passed", "failed", "skipped");
  for (int k = 0; k < CMD_COUNT_; k++) {
    const counts *c = &by_kind[k];
    if (c->passed + c->failed + c->skipped == 0) continue;
    printf("%-24s %8lu %8lu %8lu\n", cmd_names[k], c->passed, c->failed,
           c->skipped);
  }
  printf("%-24s %8lu %8lu %8lu   (%lu commands)\n", "total", all->passed,
         all->failed, all->skipped, all->passed + all->failed + all->skipped);
}

static int usage(void) {
  fprintf(stderr,
          "usage: pg_spec [--max-shown N] [--verbose] [--expect-total N]\n"
          "               [--max-skipped N] [--fuel-slice N [--max-fuel N]]\n"
          "               FILE.json...\n"
          "  runs wast2json output against the parigot engine;\n"
          "  --expect-total / --max-skipped fail the run when the number of\n"
          "  commands differs / more commands were skipped;\n"
          "  --fuel-slice runs every invoke N units of fuel at a time,\n"
          "  resuming after each PG_OUT_OF_FUEL, and fails one that uses\n"
          "  more than --max-fuel (default 10^10) as hung\n");
  return 2;
}

/* Reads "--name N" at argv[*i]; false when it is not that option. */
static bool numeric_option(int argc, char **argv, int *i, const char *name,
                           long *out) {
  if (strcmp(argv[*i], name) != 0 || *i + 1 >= argc) return false;
  char *end;
  long v = strtol(argv[*i + 1], &end, 10);
  if (*end || v < 0) return false;
  *out = v;
  (*i)++;
  return true;
}

/* Parses the options; file arguments are left where they are. */
static bool parse_options(int argc, char **argv, options *o) {
  long v;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--verbose") == 0)
      o->verbose = true;
    else if (numeric_option(argc, argv, &i, "--max-shown", &v))
      o->max_shown = (unsigned long)v;
    else if (numeric_option(argc, argv, &i, "--expect-total", &v))
      o->expect_total = v;
    else if (numeric_option(argc, argv, &i, "--max-skipped", &v))
      o->max_skipped = v;
    else if (numeric_option(argc, argv, &i, "--fuel-slice", &v))
      o->fuel_slice = (uint64_t)v;
    else if (numeric_option(argc, argv, &i, "--max-fuel", &v))
      o->max_fuel = (uint64_t)v;
    else if (argv[i][0] == '-')
      return false;
  }
  return true;
}

static void add_counts(counts *to, const counts *from) {
  to->passed += from->passed;
  to->failed += from->failed;
  to->skipped += from->skipped;
}

/* The run's verdict: 0 when nothing failed and the totals are as told. */
static int verdict(const options *o, const counts *all) {
  unsigned long total = all->passed + all->failed + all->skipped;
  int rc = all->failed ? 1 : 0;
  if (o->expect_total >= 0 && total != (unsigned long)o->expect_total) {
    printf("pg_spec: ran %lu commands, expected %ld\n", total, o->expect_total);
    rc = 1;
  }
  if (o->max_skipped >= 0 && all->skipped > (unsigned long)o->max_skipped) {
    printf("pg_spec: skipped %lu commands, at most %ld allowed\n", all->skipped,
           o->max_skipped);
    rc = 1;
  }
  return rc;
}

int main(int argc, char **argv) {
  options opts = {.max_shown = 100,
                  .expect_total = -1,
                  .max_skipped = -1,
                  .max_fuel = DEFAULT_MAX_FUEL};
  counts all = {0}, by_kind[CMD_COUNT_] = {{0}};
  unsigned long fuel_resumes = 0;
  int files = 0;
  if (!parse_options(argc, argv, &opts)) return usage();
  for (int i = 1; i < argc; i++) {
    if (argv[i][0] == '-') {
      if (strcmp(argv[i], "--verbose") != 0) i++; /* skip the option's N */
      continue;
    }
    script s = {.opts = &opts};
    run_script(&s, argv[i]);
    files++;
    add_counts(&all, &s.total);
    fuel_resumes += s.fuel_resumes;
    for (int k = 0; k < CMD_COUNT_; k++) add_counts(&by_kind[k], &s.by_kind[k]);
  }
  if (files == 0) return usage();
  print_table(by_kind, &all);
  if (opts.fuel_slice)
    printf("fuel slices of %" PRIu64 ": %lu resumes after PG_OUT_OF_FUEL\n",
           opts.fuel_slice, fuel_resumes);
  printf("%lu passed, %lu failed, %lu skipped\n", all.passed, all.failed,
         all.skipped);
  return verdict(&opts, &all);
}
