/* CloudTrail LookupEvents answers (AWS's, so untrusted): one page as the
 * JSON protocol layer hands it over, read for the newest write event in a
 * window, and the change found written and read back as alerts and the
 * history keep it. */
#include <stdlib.h>

#include "cloudtrail.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);
	cJSON *page = text ? cJSON_Parse(text) : NULL, *j;
	ct_change_t ch, back;

	free(text);
	if (page && ct_page_change(page, 0, (time_t)1 << 40, "driftd/", &ch) == 1 &&
	    (j = ct_change_json(&ch))) {
		ct_change_from_json(j, &back);
		cJSON_Delete(j);
	}
	cJSON_Delete(page);
	return 0;
}
