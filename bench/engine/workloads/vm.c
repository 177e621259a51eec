/*
 * vm: a small switch-based stack-machine interpreter running a loop of
 * bytecode. An interpreter inside the interpreter: measures indirect
 * branches (the switch's jump table), small array loads and stores, and
 * data-dependent control flow.
 */
#include <stdint.h>
#include <stdio.h>

#include "bench_size.h"

typedef enum op {
  OP_PUSH, /* push the next code word */
  OP_LOAD, /* push variable[next] */
  OP_STORE, /* variable[next] = pop */
  OP_ADD,
  OP_MUL,
  OP_MOD,
  OP_XOR,
  OP_LT,   /* push (second < top) */
  OP_JZ,   /* pop; jump to next if zero */
  OP_JMP,  /* jump to next */
  OP_HALT,
} op;

enum { VAR_I, VAR_ACC, VAR_N, VAR_COUNT };

/* acc = 0; i = 0;
 * while (i < n) { acc = (acc * 31 + (i ^ acc)) % 1000003; i = i + 1; } */
static const int32_t program[] = {
    OP_PUSH, 0, OP_STORE, VAR_ACC, OP_PUSH, 0, OP_STORE, VAR_I,
    /* 8: loop head */
    OP_LOAD, VAR_I, OP_LOAD, VAR_N, OP_LT, OP_JZ, 40,
    /* 15: body */
    OP_LOAD, VAR_ACC, OP_PUSH, 31, OP_MUL, OP_LOAD, VAR_I, OP_LOAD, VAR_ACC,
    OP_XOR, OP_ADD, OP_PUSH, 1000003, OP_MOD, OP_STORE, VAR_ACC,
    /* 31: i++ */
    OP_LOAD, VAR_I, OP_PUSH, 1, OP_ADD, OP_STORE, VAR_I, OP_JMP, 8,
    /* 40: exit */
    OP_HALT,
};

/* Runs `code` (borrowed) on `vars` (borrowed, read and written); returns the
 * number of instructions executed. */
static uint64_t run(const int32_t *code, int64_t *vars)
{
  int64_t stack[16];
  int sp = 0;
  uint32_t pc = 0;
  uint64_t executed = 0;
  for (;;) {
    executed++;
    switch ((op)code[pc++]) {
    case OP_PUSH: stack[sp++] = code[pc++]; break;
    case OP_LOAD: stack[sp++] = vars[code[pc++]]; break;
    case OP_STORE: vars[code[pc++]] = stack[--sp]; break;
    case OP_ADD: sp--; stack[sp - 1] += stack[sp]; break;
    case OP_MUL: sp--; stack[sp - 1] *= stack[sp]; break;
    case OP_MOD: sp--; stack[sp - 1] %= stack[sp]; break;
    case OP_XOR: sp--; stack[sp - 1] ^= stack[sp]; break;
    case OP_LT: sp--; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
    case OP_JZ: {
      uint32_t target = (uint32_t)code[pc++];
      if (stack[--sp] == 0)
        pc = target;
      break;
    }
    case OP_JMP: pc = (uint32_t)code[pc]; break;
    case OP_HALT: return executed;
    default: return 0;
    }
  }
}

int main(int argc, char **argv)
{
  int64_t vars[VAR_COUNT] = {0};
  vars[VAR_N] = bench_size(argc, argv, 4000000, 1000);
  uint64_t executed = run(program, vars);
  printf("vm(n=%lld): acc %lld after %llu instructions\n",
         (long long)vars[VAR_N], (long long)vars[VAR_ACC],
         (unsigned long long)executed);
  return 0;
}
