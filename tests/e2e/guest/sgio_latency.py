#!/usr/bin/env python3
"""Time SCSI commands through SG_IO on one /dev/sgN, inside one process (under TCG,
starting a program costs a few hundred milliseconds, more than the command itself).

  sgio_latency.py tur DEVICE IDLE_SECONDS RUNS BURST
      TEST UNIT READY after IDLE_SECONDS of silence, RUNS times ("idle_ms: a b c ..."),
      then the mean of BURST back-to-back ones ("burst_us: N").
  sgio_latency.py move DEVICE TRANSPORT SOURCE DEST RUNS
      MOVE MEDIUM (SMC-3 6.7) SOURCE -> DEST and back, RUNS times, element addresses in
      decimal ("move_ms: ..." and "back_ms: ...").

Latency is wall time around the ioctl, in the guest's clock. Exit status 1 when a command
does not complete with GOOD.
"""
import ctypes
import fcntl
import os
import sys
import time

SG_IO = 0x2285
SG_DXFER_NONE = -1


class SgIoHdr(ctypes.Structure):
    """struct sg_io_hdr of <scsi/sg.h> (x86_64 layout)."""
    _fields_ = [
        ('interface_id', ctypes.c_int),
        ('dxfer_direction', ctypes.c_int),
        ('cmd_len', ctypes.c_ubyte),
        ('mx_sb_len', ctypes.c_ubyte),
        ('iovec_count', ctypes.c_ushort),
        ('dxfer_len', ctypes.c_uint),
        ('dxferp', ctypes.c_void_p),
        ('cmdp', ctypes.c_void_p),
        ('sbp', ctypes.c_void_p),
        ('timeout', ctypes.c_uint),
        ('flags', ctypes.c_uint),
        ('pack_id', ctypes.c_int),
        ('usr_ptr', ctypes.c_void_p),
        ('status', ctypes.c_ubyte),
        ('masked_status', ctypes.c_ubyte),
        ('msg_status', ctypes.c_ubyte),
        ('sb_len_wr', ctypes.c_ubyte),
        ('host_status', ctypes.c_ushort),
        ('driver_status', ctypes.c_ushort),
        ('resid', ctypes.c_int),
        ('duration', ctypes.c_uint),
        ('info', ctypes.c_uint),
    ]


def command(fd, cdb_bytes):
    """A function running the CDB (no data) and returning its wall time in seconds."""
    cdb = (ctypes.c_ubyte * len(cdb_bytes))(*cdb_bytes)
    sense = (ctypes.c_ubyte * 32)()
    hdr = SgIoHdr()
    hdr.interface_id = ord('S')
    hdr.dxfer_direction = SG_DXFER_NONE
    hdr.cmd_len = len(cdb_bytes)
    hdr.mx_sb_len = 32
    hdr.cmdp = ctypes.addressof(cdb)
    hdr.sbp = ctypes.addressof(sense)
    hdr.timeout = 60000

    def run(check=True):
        t0 = time.perf_counter()
        fcntl.ioctl(fd, SG_IO, hdr)
        t1 = time.perf_counter()
        if check and (hdr.status != 0 or hdr.host_status != 0 or hdr.driver_status != 0):
            print('CDB %s: status 0x%02x host 0x%x driver 0x%x sense %s' %
                  (bytes(cdb_bytes).hex(' '), hdr.status, hdr.host_status,
                   hdr.driver_status, bytes(sense[:hdr.sb_len_wr]).hex(' ')), file=sys.stderr)
            sys.exit(1)
        return t1 - t0
    run.keep = (cdb, sense, hdr)  # the buffers live as long as the function
    return run


def main(argv):
    if len(argv) == 5 and argv[0] == 'tur':
        dev, idle, runs, burst = argv[1], float(argv[2]), int(argv[3]), int(argv[4])
        fd = os.open(dev, os.O_RDWR)
        tur = command(fd, [0, 0, 0, 0, 0, 0])
        for _ in range(3):  # unit attentions, if any, are answered here
            tur(check=False)
        idle_ms = []
        for _ in range(runs):
            time.sleep(idle)
            idle_ms.append(tur() * 1000)
        t0 = time.perf_counter()
        for _ in range(burst):
            tur()
        per = (time.perf_counter() - t0) / burst
        print('idle_ms: ' + ' '.join('%.2f' % v for v in idle_ms))
        print('burst_us: %.0f' % (per * 1e6))
        return 0
    if len(argv) == 6 and argv[0] == 'move':
        dev, transport, src, dst, runs = argv[1], int(argv[2]), int(argv[3]), int(argv[4]), int(argv[5])
        fd = os.open(dev, os.O_RDWR)

        def move_cdb(a, b):
            return [0xa5, 0, transport >> 8, transport & 0xff, a >> 8, a & 0xff,
                    b >> 8, b & 0xff, 0, 0, 0, 0]
        there, back = command(fd, move_cdb(src, dst)), command(fd, move_cdb(dst, src))
        tur = command(fd, [0, 0, 0, 0, 0, 0])
        for _ in range(3):
            tur(check=False)
        t_there, t_back = [], []
        for _ in range(runs):
            t_there.append(there() * 1000)
            t_back.append(back() * 1000)
        print('move_ms: ' + ' '.join('%.1f' % v for v in t_there))
        print('back_ms: ' + ' '.join('%.1f' % v for v in t_back))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
