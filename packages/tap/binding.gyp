{
  "targets": [
    {
      "target_name": "weft_tap",
      "sources": ["src/native/tap.cc", "src/native/data-aead.cc", "src/native/native-data-cipher.cc", "src/native/native-replay-window.cc", "src/native/fast-path.cc", "src/native/fast-path-control.cc", "src/native/fast-path-send.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
