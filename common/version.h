/* The release, shown by --version and in parctl status. */
#ifndef PAR_VERSION_H
#define PAR_VERSION_H
#define PAR_VERSION "0.3.2"
#endif
