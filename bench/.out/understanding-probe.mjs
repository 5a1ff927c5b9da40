const t0 = performance.now(); const m = await import("/work/main/bench/.out/understanding.mjs"); const t1 = performance.now();
m.understand('legs done, back a bit sore but no numbness'); const t2 = performance.now();
console.log(JSON.stringify({ importMs: t1 - t0, firstReadMs: t2 - t1 }));