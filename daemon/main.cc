#include "daemon/cli.h"

int main(int argc, char** argv) { return homeo::runCli(argc, argv); }
