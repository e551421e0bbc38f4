# Writes the man page peercall(1) from the program's own --help texts, so the
# two never disagree. Run at build time:
#   cmake -DPEERCALL=path/to/peercall -DOUT=peercall.1 -DVERSION=0.1.0 -P make_man_page.cmake
# Each help text goes in as preformatted text (.nf), escaped for roff.
if(NOT PEERCALL OR NOT OUT)
  message(FATAL_ERROR "make_man_page.cmake: PEERCALL and OUT are needed")
endif()
# The help names the settings file by $XDG_CONFIG_HOME: say that, not the
# build machine's path.
set(ENV{XDG_CONFIG_HOME} "\$XDG_CONFIG_HOME")
set(ENV{COLUMNS} "80")

function(help_of out_var)
  execute_process(COMMAND ${PEERCALL} ${ARGN} --help OUTPUT_VARIABLE text RESULT_VARIABLE rc ERROR_QUIET)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "make_man_page.cmake: `peercall ${ARGN} --help` failed (${rc})")
  endif()
  # roff: a backslash is \e; a line starting with . or ' would be a request.
  string(REPLACE "\\" "\\e" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out_var} "${text}" PARENT_SCOPE)
endfunction()

help_of(top)
set(page ".TH PEERCALL 1 \"\" \"peercall ${VERSION}\" \"User Commands\"\n")
string(APPEND page ".SH NAME\npeercall \\- private peer-to-peer video calls and live streams\n")
string(APPEND page ".SH SYNOPSIS\n.B peercall\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fICOMMAND OPTIONS\\fR]\n")
string(APPEND page ".SH DESCRIPTION\n.nf\n${top}.fi\n.SH COMMANDS\n")
foreach(command listen call stream watch demo devices config)
  help_of(text ${command})
  string(APPEND page ".SS peercall ${command}\n.nf\n${text}.fi\n")
endforeach()
string(APPEND page ".SH FILES\n.TP\n.I $XDG_CONFIG_HOME/peercall/peercall.conf\n")
string(APPEND page "Settings (~/.config/peercall/peercall.conf without XDG_CONFIG_HOME): the options' names, a [section] per command.\n")
string(APPEND page ".TP\n.I $XDG_CONFIG_HOME/peercall/\nThe identity (key, certificate) and known_peers.\n")
string(APPEND page ".SH SEE ALSO\n.BR ffplay (1)\n")
file(WRITE ${OUT} "${page}")
