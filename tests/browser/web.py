"""par-web in a real browser (issue 16): Debian's chromium driven by chromium-driver
through python3-selenium. Run by tests/integration/it_browser.sh, which starts the system
on the sample province and makes the accounts; screenshots of each page go to OUT.

usage: web.py BASE_URL OUT"""
import os
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

BASE, OUT = sys.argv[1], sys.argv[2]
failures = []


def check(what, ok):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def browser():
    o = Options()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--window-size=1280,1000", "--lang=vi"):
        o.add_argument(a)
    o.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)


def shot(d, name):
    d.save_screenshot(os.path.join(OUT, name + ".png"))


def login(d, user, password):
    d.get(BASE + "/login")
    d.find_element(By.NAME, "user").send_keys(user)
    d.find_element(By.NAME, "password").send_keys(password)
    d.find_element(By.ID, "login").click()
    # the answer takes a moment (Argon2id): a page asked before it arrives can be
    # overtaken by the login's own redirect to the dashboard
    wait_for(lambda: not d.current_url.endswith("/login"))


def row_text(d, unit):
    return d.find_element(By.CSS_SELECTOR, 'tr[data-unit="%s"]' % unit).text


def wait_for(fn, seconds=10):
    end = time.time() + seconds
    while time.time() < end:
        try:
            if fn():
                return True
        except Exception:
            pass
        time.sleep(0.2)
    return False


admin, appraiser, commune, district = browser(), browser(), browser(), browser()
try:
    # logged out, every page leads to the login form
    for page in ("/", "/units/TDG?index=PAR&year=2023", "/tasks", "/alerts", "/reporting", "/season"):
        admin.get(BASE + page)
        check("logged out, %s leads to /login" % page, admin.current_url.endswith("/login"))
    shot(admin, "01-login")

    # the province's admin: the dashboard, Tam Đường 78,12 and 4/8
    login(admin, "quantri", "mat-khau-quan-tri")
    check("the admin logs in (%s)" % admin.current_url, not admin.current_url.endswith("/login"))
    shot(admin, "01b-after-login")
    admin.get(BASE + "/?index=PAR&year=2023&level=district")
    tdg = row_text(admin, "TDG")
    check("the dashboard shows Tam Đường 78,12 (%s)" % tdg, "78,12" in tdg and "Huyện Tam Đường" in tdg)
    check("... ranked 4/8", tdg.startswith("4/8"))
    check("... with all eight districts", len(admin.find_elements(By.CSS_SELECTOR, "tr[data-unit]")) == 8)
    shot(admin, "02-dashboard")

    # its unit page
    admin.find_element(By.CSS_SELECTOR, 'tr[data-unit="TDG"] a').click()
    check("the unit page opens", wait_for(lambda: "/units/TDG" in admin.current_url))
    check("... with its deductions' reasons",
          wait_for(lambda: "(Trưởng Ban quản lý rừng phòng hộ) bị kỷ luật" in admin.page_source))
    shot(admin, "03-unit")
    for page, name in (("/alerts", "06-alerts"), ("/reporting", "07-reporting"),
                       ("/season?index=PAR&year=2023&level=district", "08-season")):
        admin.get(BASE + page)
        shot(admin, name)

    # an appraiser appraises one criterion with a reason: the admin's dashboard, open and
    # not reloaded, shows the new total
    admin.get(BASE + "/?index=PAR&year=2023&level=district")
    admin.execute_script("window.notReloaded = 1;")
    login(appraiser, "thamdinh", "mat-khau-tham-dinh")
    appraiser.get(BASE + "/units/TDG?index=PAR&year=2023")
    appraiser.find_element(By.ID, "criterion").send_keys("1.4")
    appraiser.find_element(By.ID, "value").send_keys("0,5")
    appraiser.find_element(By.ID, "reason").send_keys("Chưa có kế hoạch tuyên truyền riêng")
    shot(appraiser, "04-appraisal-form")
    appraiser.find_element(By.ID, "appraise").click()
    # (waited for, as the login is: a click does not always wait for the page it posts)
    check("the appraisal is stored (back on the unit page)", wait_for(lambda: "/units/TDG" in appraiser.current_url and
          "Chưa có kế hoạch tuyên truyền riêng" in appraiser.page_source))
    changed = wait_for(lambda: "77,62" in row_text(admin, "TDG"))
    check("the dashboard's total changes without a reload (%s)" % row_text(admin, "TDG"), changed)
    check("... the page was not reloaded", admin.execute_script("return window.notReloaded") == 1)
    shot(admin, "05-dashboard-live")

    # a commune's official reports its overdue task done: its alerts stop
    login(commune, "bangiang", "mat-khau-ban-giang")
    commune.get(BASE + "/alerts")
    check("the commune sees the alert of its overdue task", "PL24-PAR-4-TDG-BGI" in commune.page_source)
    commune.get(BASE + "/tasks")
    form = commune.find_element(By.CSS_SELECTOR, 'tr[data-task="PL24-PAR-4-TDG-BGI"] form')
    form.find_element(By.NAME, "note").send_keys("Đã hoàn thành rà soát")
    shot(commune, "09-tasks")
    form.find_element(By.CSS_SELECTOR, "button").click()
    reported = wait_for(lambda: "Đã ghi nhận báo cáo hoàn thành nhiệm vụ" in commune.page_source, 5)
    if not reported:
        open(os.path.join(OUT, "09b-after-done.html"), "w").write(commune.page_source)
    check("the task is reported done", reported)
    done = wait_for(lambda: (commune.get(BASE + "/tasks") or True) and
                    "đã hoàn thành" in commune.find_element(By.CSS_SELECTOR, 'tr[data-task="PL24-PAR-4-TDG-BGI"]').text)
    check("... and shows done", done)
    shot(commune, "10-task-done")

    # a district's official is refused another district's page before publication
    login(district, "tamduong", "mat-khau-tam-duong")
    district.get(BASE + "/units/TUY?index=PAR&year=2023")
    check("another district's page is refused before publication",
          "không được xem kết quả của đơn vị khác trước khi công bố" in district.page_source)
    shot(district, "11-refused")
    district.get(BASE + "/?index=PAR&year=2023&level=district")
    check("the district's dashboard shows only itself",
          len(district.find_elements(By.CSS_SELECTOR, "tr[data-unit]")) == 1)
    shot(district, "12-district-dashboard")
    # logged out again: back to the login form
    district.find_element(By.CSS_SELECTOR, "form.who button").click()
    district.get(BASE + "/tasks")
    check("after logout the pages lead to /login", district.current_url.endswith("/login"))
finally:
    for d in (admin, appraiser, commune, district):
        d.quit()
print("%d failed" % len(failures))
sys.exit(1 if failures else 0)
