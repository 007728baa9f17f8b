/* version — driftd's version, for --version and the User-Agent. */
#ifndef DRIFTD_VERSION_H
#define DRIFTD_VERSION_H

#define DRIFTD_VERSION "0.1.0"

#endif
