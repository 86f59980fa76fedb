#!/usr/bin/env python3
# Which parts of a running pdca binary are resident: pages present per ELF section
# (from /proc/PID/pagemap, needs root) and per package of the symbol table.
# Usage: python3 docs/bench/binary-pages.py PID /path/to/pdca [top-N]
import sys, struct, subprocess, bisect, collections
pid=int(sys.argv[1]); binpath=sys.argv[2]
maps=[l.split() for l in open(f'/proc/{pid}/maps') if l.rstrip().endswith(binpath)]
pm=open(f'/proc/{pid}/pagemap','rb')
present=set()
for m in maps:
    a,b=[int(x,16) for x in m[0].split('-')]
    pm.seek(a//4096*8); data=pm.read((b-a)//4096*8)
    for i in range((b-a)//4096):
        e=struct.unpack_from('<Q',data,i*8)[0]
        if e>>63 &1: present.add(a//4096+i)
# sections
secs=[]
for l in subprocess.run(['readelf','-SW',binpath],capture_output=True,text=True).stdout.splitlines():
    p=l.replace('[ ','[').split()
    if len(p)>5 and p[1].startswith('.') and int(p[3],16)>0:
        secs.append((p[1],int(p[3],16),int(p[5],16)))
for name,addr,size in secs:
    pages=set(range(addr//4096,(addr+size+4095)//4096))
    print(f'{name:14s} {size/1e6:7.2f} MB, touched {len(pages&present)*4096/1e6:6.2f} MB')
# text by package
syms=[]
for l in subprocess.run(['go','tool','nm','-size','-sort','address',binpath],capture_output=True,text=True).stdout.splitlines():
    p=l.split(None,3)
    if len(p)==4 and p[2] in ('T','t','R','r','D','d'):
        syms.append((int(p[0],16),int(p[1]),p[2],p[3]))
pk=collections.Counter(); tot=collections.Counter()
for addr,size,typ,name in syms:
    if size==0: continue
    pg=set(range(addr//4096,(addr+size+4095)//4096))
    n=name
    if '.' in n:
        # package = up to last '/' then to first '.'
        i=n.rfind('/'); j=n.find('.',i+1); n=n[:j] if j>0 else n
    key=(typ.upper(),n)
    pk[key]+=len(pg&present)*4096*min(1,size/ (len(pg)*4096)) if len(pg) else 0
    tot[key]+=size
for k,v in pk.most_common(int(sys.argv[3]) if len(sys.argv)>3 else 30):
    print(f'{k[0]} {k[1][:70]:70s} touched~{v/1e6:6.2f} MB of {tot[k]/1e6:6.2f}')
