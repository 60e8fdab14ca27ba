# @threat Newline Threat (#t-newline):
#   priority: critical
#   stride: [information-disclosure]
#   description: |
#     first line <script>alert(6)</script>
#     ## not a heading
#     | a | b |
#     "]; click A call evil()
#   countermeasures: |
#     - not a list
#     [x](http://evil)
#
# @exposes #ticks to #t-newline
x = 1
