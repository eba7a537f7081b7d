;; How many lines of a text hold a literal: the count of a common word, where a loop of Buffer.indexOf calls spends
;; its time stopping at every byte that starts the word (every "c" for "const") and crossing from JavaScript to C++
;; for each hit. This looks at 64 positions at a time with WebAssembly SIMD (the "generic SIMD" substring search of
;; Wojciech Muła: two of the needle's bytes compared at once; Muła compares the first and last, this two that are
;; rare in code, as the "packed pair" search of Rust's memchr does: see rarestPair) and skips to the next line after
;; a hit.
;;
;; Memory: the needle at 0 (k bytes, 1 <= k, no newline in it), the text wherever the caller put it after it.
;; src/count-lines.wasm.ts holds this module compiled (`npm run build:wasm -w @hivesync/search`); a test checks that
;; it is this text's.
(module
  (memory (export "memory") 1)

  ;; The first newline in [i, end), or end.
  (func $nextNewline (param $i i32) (param $end i32) (result i32)
    (local $m i32)
    (block $done
      (loop $blocks
        (br_if $done (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
        (local.set $m (i8x16.bitmask (i8x16.eq (v128.load (local.get $i)) (i8x16.splat (i32.const 10)))))
        (if (local.get $m) (then (return (i32.add (local.get $i) (i32.ctz (local.get $m))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $blocks)))
    (block $none
      (loop $bytes
        (br_if $none (i32.ge_u (local.get $i) (local.get $end)))
        (if (i32.eq (i32.load8_u (local.get $i)) (i32.const 10)) (then (return (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $bytes)))
    (local.get $end))

  ;; Whether the k bytes at `at` are the needle's: 16 compared at once when the needle is no longer and the load
  ;; stays inside the text (before `end`), else one at a time.
  (func $needleAt (param $at i32) (param $k i32) (param $end i32) (result i32)
    (local $j i32) (local $mask i32)
    (if (i32.and (i32.le_u (local.get $k) (i32.const 16))
                 (i32.le_u (i32.add (local.get $at) (i32.const 16)) (local.get $end)))
      (then
        (local.set $mask (i32.sub (i32.shl (i32.const 1) (local.get $k)) (i32.const 1)))
        (return (i32.eq
          (i32.and (i8x16.bitmask (i8x16.eq (v128.load (local.get $at)) (v128.load (i32.const 0)))) (local.get $mask))
          (local.get $mask)))))
    (block $all
      (loop $each
        (br_if $all (i32.ge_u (local.get $j) (local.get $k)))
        (if (i32.ne (i32.load8_u (i32.add (local.get $at) (local.get $j))) (i32.load8_u (local.get $j)))
          (then (return (i32.const 0))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $each)))
    (i32.const 1))

  ;; The lines of [i, end) that hold the k-byte needle, each counted once (a line is cut by a newline, byte 10).
  ;; $p < $q (or both 0 for a 1-byte needle): the needle's two bytes compared first (see rarestPair).
  (func (export "countLines") (param $i i32) (param $end i32) (param $k i32) (param $p i32) (param $q i32) (result i32)
    (local $n i32) (local $first v128) (local $second v128) (local $m i32) (local $at i32) (local $b0 i32)
    (if (i32.gt_u (local.get $k) (i32.sub (local.get $end) (local.get $i))) (then (return (i32.const 0))))
    (local.set $b0 (i32.load8_u (i32.const 0)))
    (local.set $first (i8x16.splat (i32.load8_u (local.get $p))))
    (local.set $second (i8x16.splat (i32.load8_u (local.get $q))))
    (block $out
      (loop $blocks
        ;; 64 starts at a time while the two bytes never pair up (most of a text): four blocks' comparisons joined,
        ;; one test; the first block with a pair goes on below, 16 at a time. Loads reach i + q + 63 < i + k + 63.
        (block $pairs
          (loop $skip
            (br_if $pairs (i32.gt_u (i32.add (i32.add (local.get $i) (local.get $k)) (i32.const 63)) (local.get $end)))
            (br_if $pairs (v128.any_true (v128.or
              (v128.or
                (v128.and
                  (i8x16.eq (v128.load (i32.add (local.get $i) (local.get $p))) (local.get $first))
                  (i8x16.eq (v128.load (i32.add (local.get $i) (local.get $q))) (local.get $second)))
                (v128.and
                  (i8x16.eq (v128.load offset=16 (i32.add (local.get $i) (local.get $p))) (local.get $first))
                  (i8x16.eq (v128.load offset=16 (i32.add (local.get $i) (local.get $q))) (local.get $second))))
              (v128.or
                (v128.and
                  (i8x16.eq (v128.load offset=32 (i32.add (local.get $i) (local.get $p))) (local.get $first))
                  (i8x16.eq (v128.load offset=32 (i32.add (local.get $i) (local.get $q))) (local.get $second)))
                (v128.and
                  (i8x16.eq (v128.load offset=48 (i32.add (local.get $i) (local.get $p))) (local.get $first))
                  (i8x16.eq (v128.load offset=48 (i32.add (local.get $i) (local.get $q))) (local.get $second)))))))
            (local.set $i (i32.add (local.get $i) (i32.const 64)))
            (br $skip)))
        (if (i32.le_u (i32.add (i32.add (local.get $i) (local.get $k)) (i32.const 15)) (local.get $end))
          (then
            ;; 16 starts at once while both loads stay inside the text: bit j of $m says that the needle's bytes p
            ;; and q are at i + j + p and i + j + q.
            (local.set $m (i8x16.bitmask (v128.and
              (i8x16.eq (v128.load (i32.add (local.get $i) (local.get $p))) (local.get $first))
              (i8x16.eq (v128.load (i32.add (local.get $i) (local.get $q))) (local.get $second)))))
            (block $none
              (loop $bits
                (br_if $none (i32.eqz (local.get $m)))
                (local.set $at (i32.add (local.get $i) (i32.ctz (local.get $m))))
                (if (call $needleAt (local.get $at) (local.get $k) (local.get $end))
                  (then
                    (local.set $n (i32.add (local.get $n) (i32.const 1)))
                    (local.set $i (call $nextNewline (i32.add (local.get $at) (local.get $k)) (local.get $end)))
                    (br_if $out (i32.ge_u (local.get $i) (local.get $end)))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (br $blocks)))
                (local.set $m (i32.and (local.get $m) (i32.sub (local.get $m) (i32.const 1))))
                (br $bits)))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br $blocks)))
        ;; The last starts, one at a time.
        (br_if $out (i32.gt_u (i32.add (local.get $i) (local.get $k)) (local.get $end)))
        (if (i32.eq (i32.load8_u (local.get $i)) (local.get $b0))
          (then
            (if (call $needleAt (local.get $i) (local.get $k) (local.get $end))
              (then
                (local.set $n (i32.add (local.get $n) (i32.const 1)))
                (local.set $i (call $nextNewline (i32.add (local.get $i) (local.get $k)) (local.get $end)))
                (br_if $out (i32.ge_u (local.get $i) (local.get $end)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $blocks)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $blocks)))
    (local.get $n))
)
