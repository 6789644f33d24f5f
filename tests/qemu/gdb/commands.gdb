# What tests/qemu/gdb/gdb_test.sh asks of the debugger, after loader.gdb
# (written by the tool) has loaded every PD and connected. Each step prints
# a line the test checks ("CHECK ..." marks where each answer starts).
echo CHECK threads\n
info threads
echo CHECK break\n
break ponger.c:notified
continue
echo CHECK print\n
print pongs
echo CHECK step\n
next
next
print pongs
echo CHECK registers\n
print $pc == $pc
echo CHECK monitor\n
monitor sched
monitor cspace pinger
monitor cspace ponger
echo CHECK hbreak\n
delete
hbreak pinger.c:notified
continue
echo CHECK watch\n
delete
inferior 1
watch -l ((struct counts *)shared)->pings
continue
echo CHECK watch-thread\n
info threads
echo CHECK shared\n
print ((struct counts *)shared)->pongs
echo CHECK interrupt\n
delete
# Ctrl-C, as a user at the terminal sends it, two seconds into a continue.
python
import os, signal, threading
threading.Timer(2.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
end
continue
echo CHECK done\n
