/* run: `par-agent run`, the district's daemon. Files renamed into [agent] spool_dir
 * (and what the configured exporter prints, on its schedule) go first into the
 * outbox, then to the province; once every line is answered the file moves to
 * spool_dir/done/, or to spool_dir/rejected/ with a .err file naming each refused line
 * and why, in Vietnamese and English. Heartbeats tell the province the agent is alive. */
#ifndef PAR_RUN_H
#define PAR_RUN_H

#include "../common/clock.h"
#include "../common/config.h"

int run_agent(par_config *conf, par_clock *clk);

#endif
