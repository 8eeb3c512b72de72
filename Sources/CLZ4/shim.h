// CLZ4: the system liblz4 (Debian: liblz4-dev), block API only.
#include <lz4.h>
