#pragma once
// The one place the version is written: CMake, the wheel's metadata (scikit-build-core's
// regex provider), fastlifetimes.__version__ and the model files all read it from here.
#define FASTLIFETIMES_VERSION "0.1.0"
#define FASTLIFETIMES_MODEL_FORMAT_VERSION 1
