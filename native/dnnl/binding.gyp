{
  "targets": [
    {
      "target_name": "sagan_dnnl",
      "sources": ["addon.cc", "conv.cc", "attention.cc", "pool.cc"],
      "cflags_cc": ["-O2", "-std=c++17", "-fopenmp", "-fexceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-ldnnl", "-fopenmp"]
    }
  ]
}
