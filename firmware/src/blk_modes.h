#ifndef EMU_FW_BLK_MODES_H
#define EMU_FW_BLK_MODES_H

#include "types.h"

/* blk-test: the virtio-blk self-test; true when every check passed. */
bool blk_selftest(void);

/* blk-iops:QD:N: N random 4 KiB reads at queue depth QD; false if the disk is missing or a read failed. */
bool blk_iops(u32 depth, u32 count);

/* blk-churn:QD:N: N random 4 KiB reads at queue depth QD from whatever
 * virtio-blk function there is, as it comes and goes (hot-plug soak). */
bool blk_churn(u32 depth, u32 count);

#endif
